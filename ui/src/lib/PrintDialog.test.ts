// The Print dialog over a stubbed desk (the real preview, save and opening are driven in the
// window test): what it asks for, in which language, and what it shows.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Document } from './bindings/Document';
import { DeskError } from './api';
import { texts } from './i18n.svelte';

const printPreview = vi.fn<(d: Document, lang: string) => Promise<{ svg: string; pages: number }>>(async () => ({
  svg: '<svg xmlns="http://www.w3.org/2000/svg"><text>Оспанова Мөлдір</text></svg>',
  pages: 2,
}));
const printSave = vi.fn<(d: Document, lang: string) => Promise<{ path: string; bytes: number }>>(async () => ({
  path: '/home/k/Documents/Korpus/protocol.pdf',
  bytes: 24000,
}));
const openPrinted = vi.fn<(path: string) => Promise<null>>(async () => null);
vi.mock('./api', async (original) => ({
  ...(await original<typeof import('./api')>()),
  api: {
    printPreview: (d: Document, l: string) => printPreview(d, l),
    printSave: (d: Document, l: string) => printSave(d, l),
    openPrinted: (p: string) => openPrinted(p),
  },
}));

const { default: PrintDialog } = await import('./PrintDialog.svelte');

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const protocol: Document = { kind: 'protocol', session: 's-1' };

describe('PrintDialog', () => {
  it('previews in Kazakh first, again in the language picked, then saves that and opens the file', async () => {
    texts.lang = 'en';
    render(PrintDialog, { document: protocol, testid: 'print-protocol' });
    expect(screen.queryByTestId('print-dialog')).toBeNull();
    await fireEvent.click(screen.getByTestId('print-protocol'));
    expect(printPreview).toHaveBeenLastCalledWith(protocol, 'kk');
    const img = (await screen.findByTestId('print-preview')) as HTMLImageElement;
    expect(decodeURIComponent(img.src)).toContain('Оспанова Мөлдір');
    expect(screen.getByTestId('print-pages').textContent).toBe('Pages: 2');

    await fireEvent.change(screen.getByTestId('print-lang'), { target: { value: 'kk+ru' } });
    expect(printPreview).toHaveBeenLastCalledWith(protocol, 'kk+ru');
    await screen.findByTestId('print-preview');
    await fireEvent.click(screen.getByTestId('print-save'));
    expect(printSave).toHaveBeenCalledWith(protocol, 'kk+ru');
    expect(openPrinted).toHaveBeenCalledWith('/home/k/Documents/Korpus/protocol.pdf');
    expect((await screen.findByTestId('print-saved')).textContent).toContain('/home/k/Documents/Korpus/protocol.pdf');
  });

  it('shows why a document cannot be made, and offers no Save', async () => {
    texts.lang = 'ru';
    printPreview.mockRejectedValueOnce(
      new DeskError({ code: 'validation', message: 'День: «7» — такого дня нет: мероприятие длится 6 дн.', details: [] }),
    );
    render(PrintDialog, { document: { kind: 'attendance', event: 'e-1', day: '7' } });
    await fireEvent.click(screen.getByTestId('print'));
    expect((await screen.findByTestId('print-error')).textContent).toContain('такого дня нет');
    expect((screen.getByTestId('print-save') as HTMLButtonElement).disabled).toBe(true);
    expect(printSave).not.toHaveBeenCalled();
  });
});
