import type { ReactNode } from 'react';
import { AppShell, Burger, Button, Group, Menu, NavLink, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconCheck, IconChevronDown, IconLanguage, IconLogout } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, type LanguageCode } from '../../common/schema.ts';
import { useMe, useSession } from '../auth/session.tsx';
import { useErrorMessage } from './errors.ts';
import { LANGUAGE_NAMES } from './LanguageSwitch.tsx';
import { navFor } from './nav.ts';
import { notifyError } from './notify.ts';
import { RouterLink, useLocation } from './router.tsx';

function UserMenu() {
  const { t } = useTranslation();
  const me = useMe();
  const { signOut, setLanguage } = useSession();
  const message = useErrorMessage();

  async function choose(language: LanguageCode) {
    try {
      await setLanguage(language);
    } catch (error) {
      notifyError(t('language.saveFailed'), message(error));
    }
  }

  return (
    <Menu position="bottom-end" width={220} withinPortal>
      <Menu.Target>
        <Button variant="subtle" color="gray" rightSection={<IconChevronDown size={14} aria-hidden />} aria-label={t('shell.userMenu', { name: me.displayName })} px="xs">
          <Text size="sm" fw={600} truncate maw={{ base: 110, sm: 220 }}>
            {me.displayName}
          </Text>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          {me.displayName} · {t(`roles.${me.role}`)}
        </Menu.Label>
        <Menu.Label>
          <Group gap={4}>
            <IconLanguage size={14} aria-hidden />
            {t('language.label')}
          </Group>
        </Menu.Label>
        {LANGUAGES.map((language) => (
          <Menu.Item
            key={language}
            lang={language}
            onClick={() => void choose(language)}
            leftSection={me.language === language ? <IconCheck size={14} aria-hidden /> : <span style={{ width: 14 }} />}
            aria-current={me.language === language ? 'true' : undefined}
          >
            {LANGUAGE_NAMES[language]}
          </Menu.Item>
        ))}
        <Menu.Divider />
        <Menu.Item color="red" leftSection={<IconLogout size={14} aria-hidden />} onClick={() => void signOut()}>
          {t('shell.signOut')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** The signed-in frame: header with the clinic and the user menu, navigation for the person's role. */
export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const me = useMe();
  const { path } = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);
  const items = navFor(me.role);

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding={{ base: 'sm', sm: 'md' }}>
      <AppShell.Header>
        <Group h="100%" px="sm" justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? t('shell.closeMenu') : t('shell.openMenu')} />
            <Text fw={700} c="teal.8" truncate>
              {t('app.name')}
            </Text>
            <Text size="sm" c="dimmed" truncate visibleFrom="xs">
              {me.clinicName}
            </Text>
          </Group>
          <UserMenu />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('shell.navigation')} component="nav">
        {items.map((item) => (
          <NavLink
            key={item.path}
            component={RouterLink}
            href={item.path}
            label={t(item.labelKey)}
            leftSection={<item.icon size={18} aria-hidden />}
            active={path === item.path || path.startsWith(`${item.path}/`)}
            aria-current={path === item.path || path.startsWith(`${item.path}/`) ? 'page' : undefined}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
