import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldErrors, isApiError } from '../api/client.ts';

/**
 * The sentence to show for a failure. In English the server's own message is the most precise (it names
 * the doctor, the time, the queue number); in other languages the code's translation is shown, and the
 * server's message only when there is none.
 */
export function useErrorMessage(): (error: unknown) => string {
  const { t, i18n } = useTranslation();
  return useCallback(
    (error: unknown) => {
      if (!isApiError(error)) return t('errors.unknown');
      const key = `errors.${error.code}`;
      const translated = i18n.exists(key) ? t(key) : null;
      if (error.code === 'network' || error.code === 'internal') {
        const incident = typeof error.details?.incident === 'string' ? ` (${error.details.incident})` : '';
        return (translated ?? error.message) + incident;
      }
      if (i18n.language === 'en') return error.message || translated || t('errors.unknown');
      return translated ?? error.message;
    },
    [t, i18n],
  );
}

/**
 * Field-level messages from a validation_failed answer, keyed by field name, in the user's language
 * where the rule has a translation.
 */
export function useServerFieldErrors(): (error: unknown) => Record<string, string> {
  const { t, i18n } = useTranslation();
  return useCallback(
    (error: unknown) => {
      const result: Record<string, string> = {};
      for (const item of fieldErrors(error)) {
        const field = item.field.split('.').pop() ?? item.field;
        const ruleKey = `validation.rule.${item.rule ?? ''}`;
        const english = item.message || (isApiError(error) ? error.message : '');
        if (item.rule && i18n.exists(ruleKey)) result[field] = t(ruleKey);
        else result[field] = i18n.language === 'en' && english ? english : t('validation.invalid');
      }
      return result;
    },
    [t, i18n],
  );
}
