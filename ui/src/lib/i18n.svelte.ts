// The desk's texts: the same Fluent catalogues as the Rust side (crates/korpus-domain/locales),
// so every string of the product has one key with kk, ru and en text, checked in one place.
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import en from '../../../crates/korpus-domain/locales/en.ftl?raw';
import kk from '../../../crates/korpus-domain/locales/kk.ftl?raw';
import ru from '../../../crates/korpus-domain/locales/ru.ftl?raw';
import type { Lang } from './bindings/Lang';

export const LANGS: Lang[] = ['kk', 'ru', 'en'];

function bundle(lang: Lang, source: string): FluentBundle {
  // No Unicode isolation marks: each text is in one script, and marks would end up in copied text.
  const b = new FluentBundle(lang, { useIsolating: false });
  b.addResource(new FluentResource(source));
  return b;
}

const bundles: Record<Lang, FluentBundle> = { kk: bundle('kk', kk), ru: bundle('ru', ru), en: bundle('en', en) };

class Texts {
  /** The user's language; Kazakh until the desk says otherwise. */
  lang = $state<Lang>('kk');

  /** The text of `key` in the current language; a missing key shows itself. */
  t(key: string, args?: Record<string, FluentVariable>): string {
    const b = bundles[this.lang];
    const message = b.getMessage(key);
    if (!message?.value) return key;
    return b.formatPattern(message.value, args);
  }
}

export const texts = new Texts();

/** Shorthand for `texts.t`, reactive in templates because it reads `texts.lang`. */
export const t = (key: string, args?: Record<string, FluentVariable>): string => texts.t(key, args);

/** Every key of a catalogue, for the completeness test. */
export function catalogueKeys(lang: Lang): string[] {
  const source = { kk, ru, en }[lang];
  return new FluentResource(source).body.map((entry) => ('id' in entry ? entry.id : '')).filter(Boolean);
}
