import { SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { LanguageCode } from '../../common/schema.ts';
import { useSession } from '../auth/session.tsx';

export const LANGUAGE_NAMES: Record<LanguageCode, string> = { en: 'English', ar: 'العربية' };

/** The language choice on the screens before signing in; each language is named in itself. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const { setLanguage } = useSession();
  return (
    <SegmentedControl
      aria-label={t('language.label')}
      size="xs"
      value={i18n.language}
      onChange={(value) => void setLanguage(value as LanguageCode)}
      data={[
        { value: 'en', label: LANGUAGE_NAMES.en },
        { value: 'ar', label: LANGUAGE_NAMES.ar },
      ]}
    />
  );
}
