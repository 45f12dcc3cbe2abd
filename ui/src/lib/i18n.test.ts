import { describe, expect, it } from 'vitest';
import { catalogueKeys, t, texts } from './i18n.svelte';

describe('texts', () => {
  it('default to Kazakh and follow the chosen language', () => {
    texts.lang = 'kk';
    expect(t('nav-persons')).toBe('Қатысушылар');
    texts.lang = 'ru';
    expect(t('nav-persons')).toBe('Участники');
    texts.lang = 'en';
    expect(t('list-range', { from: '1', to: '50', total: '100 000' })).toBe('1–50 of 100 000');
    texts.lang = 'kk';
  });

  it('show a missing key as itself instead of failing', () => {
    expect(t('no-such-key')).toBe('no-such-key');
  });

  it('has every key in all three catalogues', () => {
    const kk = catalogueKeys('kk');
    expect(kk.length).toBeGreaterThan(150);
    expect(catalogueKeys('ru')).toEqual(kk);
    expect(catalogueKeys('en')).toEqual(kk);
  });

  it('has every key the screens name literally', () => {
    const sources = import.meta.glob('../**/*.svelte', { query: '?raw', import: 'default', eager: true });
    const kk = new Set(catalogueKeys('kk'));
    const missing: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      for (const m of String(text).matchAll(/\bt\('([a-z0-9_-]+)'/g)) {
        if (!kk.has(m[1])) missing.push(`${file}: ${m[1]}`);
      }
    }
    expect(Object.keys(sources).length).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });
});
