import {
  Alert,
  Anchor,
  Button,
  Center,
  Container,
  Group,
  Loader,
  Paper,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconLifebuoy } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ColorSchemeToggle } from '@/components/common/ColorSchemeToggle';
import { useSession } from '@/hooks/useSession';
import {
  providerProblem,
  providerStartUrl,
  redeemProviderCode,
  safeNext,
} from '@/services/providerSignIn';

/**
 * Where the server sends the browser back from the shop's identity provider: with a
 * one-time `code` to trade for our tokens, or with an `error` this page puts into words
 * (never the provider's own text, which anyone could put into a link).
 */
export function OidcCallbackPage() {
  const [params] = useSearchParams();
  const { signInWithTokens } = useSession();
  const navigate = useNavigate();
  const code = params.get('code');
  const next = safeNext(params.get('next'));
  const [reason, setReason] = useState<string | null>(
    () => params.get('error') ?? (code ? null : 'expired'),
  );
  // The code works once: React's development double run of effects must not spend it twice.
  const spent = useRef(false);

  useEffect(() => {
    if (!code || reason || spent.current) return;
    spent.current = true;
    (async () => {
      try {
        await signInWithTokens(await redeemProviderCode(code));
        navigate(next, { replace: true });
      } catch {
        setReason('code');
      }
    })();
  }, [code, reason, next, navigate, signInWithTokens]);

  if (!reason) {
    return (
      <Center mih="100vh" p="md">
        <Stack align="center" gap="sm" role="status">
          <Loader aria-hidden />
          <Text>Signing you in…</Text>
        </Stack>
      </Center>
    );
  }
  const problem = providerProblem(reason);
  return (
    <Center mih="100vh" p="md">
      <Container size={460} w="100%">
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
          <Stack>
            <Title order={1} size="h3">
              {problem.title}
            </Title>
            <Alert color="yellow" role="alert">
              {problem.text}
            </Alert>
            <Button component="a" href={providerStartUrl(next)} fullWidth>
              Try again
            </Button>
            <Anchor component={Link} to="/login" ta="center" size="sm">
              Sign in with email and password
            </Anchor>
          </Stack>
        </Paper>
      </Container>
    </Center>
  );
}
