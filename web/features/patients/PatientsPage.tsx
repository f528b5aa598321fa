import { useEffect } from 'react';
import { Button, Group, Stack, Title } from '@mantine/core';
import { IconUserPlus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../auth/session.tsx';
import { RouterLink, setParams, useLocation } from '../../ui/router.tsx';
import { PatientResults, SearchInput, useDebouncedSearch } from './PatientSearch.tsx';

export function PatientsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const { params } = useLocation();
  const [text, setText] = useDebouncedSearch(params.get('q') ?? '');

  // The search lives in the address, so going back to the list finds it again.
  useEffect(() => setParams({ q: text.debounced.trim() || null }), [text.debounced]);

  const register = can('patients.write') && (
    <Button component={RouterLink} href="/patients/new" leftSection={<IconUserPlus size={16} aria-hidden />}>
      {t('patients.register')}
    </Button>
  );

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={1} size="h2">
          {t('patients.title')}
        </Title>
        {register}
      </Group>
      <SearchInput value={text.value} onChange={setText} busy={text.value !== text.debounced} />
      <Title order={2} size="h5" c="dimmed">
        {text.debounced.trim() ? t('patients.search.results') : t('patients.search.recent')}
      </Title>
      <PatientResults text={text.debounced} emptyAction={text.debounced.trim() ? register : null} />
    </Stack>
  );
}
