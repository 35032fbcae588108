import { Alert, Anchor, Button, Center, Loader, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { PublicShell } from '@/components/auth/PublicShell';
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
    <PublicShell>
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
    </PublicShell>
  );
}
