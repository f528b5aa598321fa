import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { LanguageCode } from '../../common/schema.ts';
import en from './en.json';
import ar from './ar.json';

const STORAGE_KEY = 'doctors-system.language';

/** The language to show before anyone signs in: the last one chosen on this device, else the browser's. */
function initialLanguage(): LanguageCode {
  const stored = window.localStorage.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'ar') return stored;
  return navigator.language.toLowerCase().startsWith('ar') ? 'ar' : 'en';
}

export function directionOf(language: string): 'rtl' | 'ltr' {
  return language === 'ar' ? 'rtl' : 'ltr';
}

/** Sets the interface language and the page's lang and dir, and remembers it on this device. */
export async function applyLanguage(language: LanguageCode): Promise<void> {
  window.localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
  document.documentElement.dir = directionOf(language);
  await i18next.changeLanguage(language);
}

export function setUpI18n(): typeof i18next {
  const language = initialLanguage();
  document.documentElement.lang = language;
  document.documentElement.dir = directionOf(language);
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, ar: { translation: ar } },
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return i18next;
}
