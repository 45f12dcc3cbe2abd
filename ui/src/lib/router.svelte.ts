// Which screen the desk shows. A desk has no address bar; the state is all there is.

export type Screen =
  | 'home'
  | 'persons'
  | 'host-orgs'
  | 'applications'
  | 'mentors'
  | 'selection'
  | 'training'
  | 'grievances'
  | 'money'
  | 'reports'
  | 'certificates'
  | 'outreach'
  | 'sync'
  | 'settings';
export type View = 'list' | 'detail' | 'form';

class Router {
  screen = $state<Screen>('home');
  view = $state<View>('list');
  /** The record shown or edited; null for a new one. */
  id = $state<string | null>(null);

  go(screen: Screen, view: View = 'list', id: string | null = null): void {
    this.screen = screen;
    this.view = view;
    this.id = id;
  }
}

export const router = new Router();
