// Regions, directions and the rulebook's numbers, loaded once the database is open.
import type { Rulebook } from './bindings/Rulebook';
import { texts } from './i18n.svelte';

class ReferenceData {
  rulebook = $state<Rulebook | null>(null);

  /** The name of region `kato` in the current language. */
  region(kato: string): string {
    const r = this.rulebook?.regions.find((x) => x.kato === kato);
    return r ? r.name[texts.lang] : kato;
  }

  /** The name of direction `code` in the current language. */
  direction(code: string): string {
    const d = this.rulebook?.directions.find((x) => x.code === code);
    return d ? d.name[texts.lang] : code;
  }
}

export const reference = new ReferenceData();
