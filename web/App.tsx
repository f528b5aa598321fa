import { useEffect, useMemo, type ReactNode } from 'react';
import { Button, Center, createTheme, DirectionProvider, MantineProvider, Stack, Text, useDirection } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import type { Permission } from '../common/permissions.ts';
import { LoginPage } from './auth/LoginPage.tsx';
import { SetupPage } from './auth/SetupPage.tsx';
import { SessionProvider, useCan, useMe, useSession } from './auth/session.tsx';
import { AppointmentsPage } from './features/appointments/AppointmentsPage.tsx';
import { AuditPage } from './features/audit/AuditPage.tsx';
import { BillingPage } from './features/billing/BillingPage.tsx';
import { PricesPage } from './features/billing/PricesPage.tsx';
import { BoardPage } from './features/board/BoardPage.tsx';
import { PatientPage } from './features/patients/PatientPage.tsx';
import { PatientsPage } from './features/patients/PatientsPage.tsx';
import { RegisterPatientPage } from './features/patients/RegisterPatientPage.tsx';
import { QueuePage } from './features/queue/QueuePage.tsx';
import { ClinicSettingsPage } from './features/settings/ClinicSettingsPage.tsx';
import { StaffPage } from './features/staff/StaffPage.tsx';
import { directionOf } from './i18n/i18n.ts';
import { Empty, Loading } from './ui/ListState.tsx';
import { homeFor } from './ui/nav.ts';
import { matchPath, navigate, useLocation } from './ui/router.tsx';
import { Shell } from './ui/Shell.tsx';

/** Mantine's built-in control names in the interface language; dialogs fill the screen on phones. */
function useTheme() {
  const { t, i18n } = useTranslation();
  const phone = useMediaQuery('(max-width: 36em)', undefined, { getInitialValueInEffect: false });
  return useMemo(
    () =>
      createTheme({
        primaryColor: 'teal',
        fontFamily: 'var(--ds-font)',
        headings: { fontFamily: 'var(--ds-font)' },
        components: {
          Badge: { defaultProps: { tt: 'none' } },
          PasswordInput: { defaultProps: { visibilityToggleButtonProps: { 'aria-label': t('common.showPassword') } } },
          Modal: { defaultProps: { closeButtonProps: { 'aria-label': t('common.close') }, fullScreen: phone } },
          Notification: { defaultProps: { closeButtonProps: { 'aria-label': t('common.close') } } },
        },
      }),
    [t, i18n.language, phone],
  );
}

function DirectionSync() {
  const { i18n } = useTranslation();
  const { setDirection } = useDirection();
  useEffect(() => setDirection(directionOf(i18n.language)), [i18n.language, setDirection]);
  return null;
}

interface Route {
  pattern: string;
  permission: Permission;
  render(params: Record<string, string>): ReactNode;
}

const ROUTES: Route[] = [
  { pattern: '/queue', permission: 'visits.consult', render: () => <QueuePage /> },
  { pattern: '/board', permission: 'visits.board', render: () => <BoardPage /> },
  { pattern: '/patients', permission: 'patients.read', render: () => <PatientsPage /> },
  { pattern: '/patients/new', permission: 'patients.write', render: () => <RegisterPatientPage /> },
  { pattern: '/patients/:id', permission: 'patients.read', render: ({ id }) => <PatientPage key={id} id={id} /> },
  { pattern: '/appointments', permission: 'appointments.read', render: () => <AppointmentsPage /> },
  { pattern: '/billing', permission: 'billing.read', render: () => <BillingPage /> },
  { pattern: '/prices', permission: 'billing.prices', render: () => <PricesPage /> },
  { pattern: '/staff', permission: 'staff.manage', render: () => <StaffPage /> },
  { pattern: '/settings', permission: 'clinic.settings', render: () => <ClinicSettingsPage /> },
  { pattern: '/audit', permission: 'audit.read', render: () => <AuditPage /> },
];

function SignedIn() {
  const { t } = useTranslation();
  const me = useMe();
  const can = useCan();
  const { path } = useLocation();
  const home = homeFor(me.role);

  useEffect(() => {
    if (path === '/' || path === '/login' || path === '/setup') navigate(home, { replace: true });
  }, [path, home]);

  let page: ReactNode = null;
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, path);
    if (!params) continue;
    page = can(route.permission) ? route.render(params) : <Empty title={t('shell.notAllowed')} description={t('shell.notAllowedHint')} />;
    break;
  }
  if (!page && path === '/welcome') page = <Empty title={t('shell.nothingForRole')} description={t('shell.nothingForRoleHint')} />;
  if (!page && path !== '/' && path !== '/login' && path !== '/setup') page = <Empty title={t('shell.notFound')} />;
  return <Shell>{page}</Shell>;
}

function Screens() {
  const { t } = useTranslation();
  const { phase, retry } = useSession();
  switch (phase.kind) {
    case 'loading':
      return <Loading />;
    case 'unreachable':
      return (
        <Center mih="100dvh" p="md">
          <Stack align="center">
            <Text role="alert">{t('errors.network')}</Text>
            <Button onClick={retry}>{t('common.retry')}</Button>
          </Stack>
        </Center>
      );
    case 'setup':
      return <SetupPage />;
    case 'login':
      return <LoginPage key={phase.reason ?? 'none'} reason={phase.reason} />;
    case 'ready':
      return <SignedIn key={phase.me.userId} />;
  }
}

export function App() {
  const { i18n } = useTranslation();
  const theme = useTheme();
  return (
    <DirectionProvider initialDirection={directionOf(i18n.language)} detectDirection={false}>
      <MantineProvider theme={theme} defaultColorScheme="light">
        <DirectionSync />
        <Notifications position="top-center" />
        <SessionProvider>
          <Screens />
        </SessionProvider>
      </MantineProvider>
    </DirectionProvider>
  );
}
