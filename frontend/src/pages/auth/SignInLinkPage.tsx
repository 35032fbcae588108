import { Alert, Button, Center, Loader, Stack, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { AuthLink, PublicShell } from '@/components/auth/PublicShell';
import { useSession } from '@/hooks/useSession';
import { redeemOrderLink, tokenFromLink } from '@/services/auth';
import { ApiError } from '@/services/http';

/** Where the mailed sign-in link lands: the token (after `#`, never sent with the page) is
 * traded for a sign-in once, then the customer goes to her orders. */
export function SignInLinkPage() {
  const { signInWithTokens } = useSession();
  const navigate = useNavigate();
  const [token] = useState(() => tokenFromLink(window.location.hash));
  const [problem, setProblem] = useState<string | null>(
    token ? null : 'This link is not complete. Open it from the mail again, or ask for a new one.',
  );
  // A link works once: React may run an effect twice in development, the request must not.
  const tried = useRef(false);

  useEffect(() => {
    if (tried.current || !token) return;
    tried.current = true;
    (async () => {
      try {
        await signInWithTokens(await redeemOrderLink(token));
        navigate('/', { replace: true });
      } catch (err) {
        setProblem(
          err instanceof ApiError && err.code === 'invalid_link'
            ? sentenceOf(err.detail)
            : err instanceof ApiError
              ? err.plainMessage
              : 'Signing in failed.',
        );
      }
    })();
  }, [navigate, signInWithTokens, token]);

  if (!problem) {
    return (
      <Center h="100vh">
        <Loader aria-label="Signing you in" />
      </Center>
    );
  }
  return (
    <PublicShell>
      <Stack>
        <Title order={1} size="h3">
          This sign-in link cannot be used
        </Title>
        <Alert color="yellow" role="alert">
          {problem}
        </Alert>
        <Button component={Link} to="/sign-in/order">
          Send a new link
        </Button>
        <AuthLink to="/login">Sign in with a password</AuthLink>
      </Stack>
    </PublicShell>
  );
}

export function sentenceOf(detail: string): string {
  const text = detail.trim();
  if (!text) return 'This link cannot be used. Ask for a new one.';
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
}
