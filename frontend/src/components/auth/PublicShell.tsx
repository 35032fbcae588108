import { Anchor, Center, Container, Group, Paper, Text } from '@mantine/core';
import { IconLifebuoy } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ColorSchemeToggle } from '@/components/common/ColorSchemeToggle';

/** The frame of the pages one sees before signing in: the name, the theme switch, a card. */
export function PublicShell({ children, below }: { children: ReactNode; below?: ReactNode }) {
  return (
    <Center mih="100vh" p="md">
      <Container size={420} w="100%">
        <Group justify="space-between" mb="lg">
          <Group gap={8}>
            <IconLifebuoy size={28} color="var(--mantine-primary-color-filled)" />
            <Text fw={650} fz="h2">
              supportdesk
            </Text>
          </Group>
          <ColorSchemeToggle />
        </Group>
        <Paper withBorder shadow="sm" p="lg" radius="md">
          {children}
        </Paper>
        {below}
      </Container>
    </Center>
  );
}

/** A link to another of the sign-in pages. */
export function AuthLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Anchor component={Link} to={to} size="sm">
      {children}
    </Anchor>
  );
}
