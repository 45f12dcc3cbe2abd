import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Page } from './bindings/Page';
import { texts } from './i18n.svelte';
import ListView from './ListView.svelte';

interface Row {
  id: string;
  name: string;
}

const rows = (n: number, from = 0): Row[] => Array.from({ length: n }, (_, i) => ({ id: `r${from + i}`, name: `Row ${from + i}` }));
const columns = [{ label: 'Name', value: (r: Row) => r.name }];

afterEach(cleanup);

describe('ListView', () => {
  it('shows the first page with its range and pages on', async () => {
    texts.lang = 'en';
    const load = vi.fn(async (_q: string, offset: number): Promise<Page<Row>> => ({ items: rows(50, offset), total: 120 }));
    render(ListView<Row>, { load, columns, placeholder: 'Search', onopen: () => {} });
    expect(await screen.findByText('Row 0')).toBeTruthy();
    expect(screen.getByTestId('range').textContent).toContain('1–50 of 120');
    await fireEvent.click(screen.getByText('Next'));
    expect(await screen.findByText('Row 50')).toBeTruthy();
    expect(load).toHaveBeenLastCalledWith('', 50, 50);
  });

  it('searches as you type and drops an answer that a newer keystroke overtook', async () => {
    texts.lang = 'en';
    let release: (p: Page<Row>) => void = () => {};
    const load = vi.fn((query: string): Promise<Page<Row>> => {
      if (query === 'a') return new Promise((resolve) => (release = resolve));
      return Promise.resolve({ items: query ? [{ id: 'x', name: `Found ${query}` }] : rows(3), total: 3 });
    });
    render(ListView<Row>, { load, columns, placeholder: 'Search', onopen: () => {} });
    await screen.findByText('Row 0');
    const search = screen.getByTestId('search');
    await fireEvent.input(search, { target: { value: 'a' } });
    await new Promise((r) => setTimeout(r, 200));
    await fireEvent.input(search, { target: { value: 'ab' } });
    expect(await screen.findByText('Found ab')).toBeTruthy();
    release({ items: [{ id: 'old', name: 'Stale answer' }], total: 1 });
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByText('Stale answer')).toBeNull();
    expect(screen.queryByTestId('range')).toBeNull();
  });

  it('says so when nothing matches', async () => {
    texts.lang = 'ru';
    render(ListView<Row>, { load: async () => ({ items: [], total: 0 }), columns, placeholder: 'Search', onopen: () => {} });
    expect(await screen.findByText('Ничего не найдено')).toBeTruthy();
    texts.lang = 'kk';
  });
});
