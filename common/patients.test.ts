import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldForSearch, phoneDigits } from './patients.ts';

const LATIN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
// Arabic letters without hamza or marks of their own: the base forms people type.
const ARABIC = 'ابتثجحخدذرزسشصضطظعغفقكلمنهوي'.split('');
// Arabic harakat, tanwin, shadda, sukun, dagger alef; Latin combining accents.
const ARABIC_MARKS = ['\u064B', '\u064C', '\u064D', '\u064E', '\u064F', '\u0650', '\u0651', '\u0652', '\u0670'];
const LATIN_MARKS = ['\u0300', '\u0301', '\u0302', '\u0303', '\u0308', '\u030A', '\u0327', '\u030C'];

const baseText = fc.array(fc.constantFrom(...LATIN, ...ARABIC, ' '), { maxLength: 30 }).map((chars) => chars.join(''));
/** A base text and the same text with marks sprinkled after its letters. */
const diacritised = baseText.chain((base) =>
  fc
    .array(fc.array(fc.constantFrom(...ARABIC_MARKS, ...LATIN_MARKS), { maxLength: 2 }), { minLength: base.length, maxLength: base.length })
    .map((marks) => ({ base, marked: [...base].map((c, i) => c + (c === ' ' ? '' : marks[i].join(''))).join('') })),
);

// Characters that have tripped up text folding elsewhere: dotted capital I, compatibility forms,
// presentation forms, tatweel, hamza carriers, Arabic-Indic digits, odd spaces.
const tricky = fc.constantFrom('İ', 'ß', 'ẞ', 'ﬁ', '㎒', 'Ⅻ', 'ﻻ', 'ﷲ', 'ـ', 'أ', 'إ', 'آ', 'ؤ', 'ئ', 'ة', 'ى', '٣', '۷', '\u00A0', '\u2003', '\t', 'Σ', 'ς');
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.array(fc.oneof(tricky, fc.constantFrom(...LATIN, ...ARABIC, ...ARABIC_MARKS, ...LATIN_MARKS, ' ')), { maxLength: 30 }).map((c) => c.join('')),
);

describe('foldForSearch', () => {
  it('is idempotent: folding folded text changes nothing', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(foldForSearch(foldForSearch(text))).toBe(foldForSearch(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('ignores diacritics: a marked text folds to what its base text folds to', () => {
    fc.assert(
      fc.property(diacritised, ({ base, marked }) => {
        expect(foldForSearch(marked)).toBe(foldForSearch(base));
      }),
      { numRuns: 1000 },
    );
  });

  it('ignores case and collapses spaces', () => {
    fc.assert(
      fc.property(baseText, (text) => {
        expect(foldForSearch(text.toUpperCase())).toBe(foldForSearch(text.toLowerCase()));
        expect(foldForSearch(`  ${text.replace(/ /g, ' \t ')}  `)).toBe(foldForSearch(text));
      }),
    );
  });

  it('folds the letter variants people type interchangeably', () => {
    const pairs: [string, string][] = [
      ['أحمد', 'احمد'],
      ['إبراهيم', 'ابراهيم'],
      ['آمنة', 'امنه'],
      ['مؤمن', 'مومن'],
      ['هانئ', 'هاني'],
      ['مصطفى', 'مصطفي'],
      ['محـــمد', 'محمد'],
      ['José Ñúñez', 'jose nunez'],
      ['٠٧٩١٢٣', '079123'],
      ['۰۷۹', '079'],
    ];
    for (const [typed, stored] of pairs) expect(foldForSearch(typed), typed).toBe(foldForSearch(stored));
    expect(foldForSearch('محمد')).not.toBe(foldForSearch('احمد'));
  });
});

describe('phoneDigits', () => {
  it('keeps only the digits, in any numeral system, in order', () => {
    expect(phoneDigits('+962 (79) 123-4567')).toBe('962791234567');
    expect(phoneDigits('٠٧٩١٢٣٤٥٦٧')).toBe('0791234567');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...'0123456789'.split('')), { maxLength: 15 }), fc.array(fc.constantFrom(' ', '-', '(', ')', '+'), { maxLength: 15 }), (digits, separators) => {
        const written = digits.map((d, i) => (separators[i] ?? '') + d).join('');
        expect(phoneDigits(written)).toBe(digits.join(''));
      }),
    );
  });
});
