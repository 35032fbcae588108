import { AppShell, Badge, Burger, Group, Menu, NavLink, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconApi,
  IconBell,
  IconChecklist,
  IconChevronDown,
  IconGauge,
  IconInbox,
  IconLifebuoy,
  IconListCheck,
  IconLogout,
  IconMail,
  IconMessage2Bolt,
  IconSend,
  IconPackage,
  IconReceiptRefund,
  IconScale,
  IconTags,
  IconUsers,
  IconWebhook,
} from '@tabler/icons-react';
import { Suspense, useEffect } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { ColorSchemeToggle } from '@/components/common/ColorSchemeToggle';
import { ErrorBoundary } from '@/components/common/ErrorBoundary';
import { PageSkeleton } from '@/components/common/PageSkeleton';
import { useLiveUpdates } from '@/hooks/useLiveUpdates';
import { useMe, useSession } from '@/hooks/useSession';
import { isStaff, type Role } from '@/services/types';
import { label } from '@/services/format';
import classes from './AppLayout.module.css';

interface NavItem {
  to: string;
  label: string;
  icon: typeof IconGauge;
  exact?: boolean;
}

function navFor(role: Role): NavItem[] {
  if (isStaff(role)) {
    return [
      { to: '/', label: 'My work', icon: IconChecklist, exact: true },
      { to: '/cases', label: 'Support cases', icon: IconInbox },
      { to: '/refunds/queue', label: 'Refund queue', icon: IconListCheck },
      { to: '/refunds', label: 'Refunds', icon: IconReceiptRefund, exact: true },
      { to: '/dashboard', label: 'Dashboard', icon: IconGauge },
      ...(role === 'admin'
        ? [
            { to: '/users', label: 'Users', icon: IconUsers },
            { to: '/admin/outbox', label: 'Outbox', icon: IconSend },
            { to: '/admin/webhooks', label: 'Webhooks', icon: IconWebhook },
            { to: '/admin/refund-reasons', label: 'Refund reasons', icon: IconTags },
            { to: '/admin/refund-policy', label: 'Refund policy', icon: IconScale },
            { to: '/admin/mail', label: 'Sent mail', icon: IconMail },
          ]
        : []),
      { to: '/settings/canned-replies', label: 'Canned replies', icon: IconMessage2Bolt },
      { to: '/settings/notifications', label: 'Notifications', icon: IconBell },
    ];
  }
  return [
    { to: '/', label: 'My orders', icon: IconPackage, exact: true },
    { to: '/cases', label: 'My cases', icon: IconLifebuoy },
    { to: '/refunds', label: 'My refunds', icon: IconReceiptRefund },
  ];
}

function isActive(item: NavItem, path: string): boolean {
  if (item.exact) return path === item.to || (item.to === '/' && path.startsWith('/orders'));
  if (item.to === '/refunds')
    return path.startsWith('/refunds') && !path.startsWith('/refunds/queue');
  return path.startsWith(item.to);
}

export function AppLayout() {
  const me = useMe();
  const { signOut } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const navigate = useNavigate();
  const items = navFor(me.role);
  // One live-update stream for the signed-in user, for as long as the app is open.
  useLiveUpdates(me);

  useEffect(close, [location.pathname, close]);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      {/* First stop for the keyboard: past the header and the navigation, straight to the page. */}
      <a href="#main" className={classes.skipLink}>
        Skip to main content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <UnstyledButton component={Link} to="/">
              <Group gap={6} wrap="nowrap">
                <IconLifebuoy size={22} color="var(--mantine-primary-color-filled)" />
                <Text fw={700} size="lg">
                  supportdesk
                </Text>
              </Group>
            </UnstyledButton>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <ColorSchemeToggle />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton aria-label="Account menu">
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={500} visibleFrom="xs">
                      {me.name}
                    </Text>
                    <Badge size="sm" variant="light" color={isStaff(me.role) ? 'grape' : 'blue'}>
                      {label(me.role)}
                    </Badge>
                    <IconChevronDown size={14} />
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{me.email}</Menu.Label>
                <Menu.Item
                  leftSection={<IconLogout size={14} />}
                  onClick={async () => {
                    await signOut();
                    navigate('/login', { replace: true });
                  }}
                >
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        {items.map((item) => (
          <NavLink
            key={item.to}
            component={Link}
            to={item.to}
            label={item.label}
            leftSection={<item.icon size={18} />}
            active={isActive(item, location.pathname)}
          />
        ))}
        {me.role === 'admin' ? (
          // A page of its own (Swagger UI), not a route of the app: a plain link.
          <NavLink
            component="a"
            href="/api/v1/docs"
            label="API reference"
            leftSection={<IconApi size={18} />}
          />
        ) : null}
      </AppShell.Navbar>
      {/* tabIndex lets the skip link move focus here, not only scroll. */}
      <AppShell.Main id="main" tabIndex={-1} className={classes.main}>
        <ErrorBoundary resetKey={location.pathname}>
          <Suspense fallback={<PageSkeleton />}>
            <Outlet />
          </Suspense>
        </ErrorBoundary>
      </AppShell.Main>
    </AppShell>
  );
}
