import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Button,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { z } from 'zod';
import { OidcSignIn } from '@/components/auth/OidcSignIn';
import { AuthLink, PublicShell } from '@/components/auth/PublicShell';
import { useSession } from '@/hooks/useSession';
import { useSignInProviders } from '@/hooks/useSignInProviders';
import { ApiError } from '@/services/http';

const schema = z.object({
  email: z
    .string()
    .trim()
    .min(3, 'Enter your email address')
    .max(320)
    .email('Enter a valid email address'),
  password: z.string().min(1, 'Enter your password').max(1024),
});
type Values = z.infer<typeof schema>;

/** Only same-app paths, so a crafted link cannot send people elsewhere after signing in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

interface DemoUsers {
  items: { email: string; name: string; role: string }[];
  password: string;
}

/** Outside production the server lists its demo users (/sim/demo-users); in production
 * that path does not exist and nothing shows. */
function useDemoUsers() {
  return useQuery({
    queryKey: ['demo-users'],
    queryFn: async (): Promise<DemoUsers | null> => {
      const response = await fetch('/sim/demo-users');
      return response.ok ? ((await response.json()) as DemoUsers) : null;
    },
    retry: false,
    staleTime: Infinity,
  });
}

function DemoUserList({ onPick }: { onPick: (email: string, password: string) => void }) {
  const demo = useDemoUsers().data;
  if (!demo?.items.length) return null;
  return (
    <Paper withBorder p="sm" mt="md" component="section" aria-label="Demo users">
      <Text size="xs" c="dimmed" mb={6}>
        Demo users (not in production), password {demo.password}. Pick one to fill in the form:
      </Text>
      <Group gap={6}>
        {demo.items.map((user) => (
          <Button
            key={user.email}
            size="compact-xs"
            variant="default"
            onClick={() => onPick(user.email, demo.password)}
            title={user.email}
          >
            {user.name} · {user.role}
          </Button>
        ))}
      </Group>
    </Paper>
  );
}

export function LoginPage() {
  const { session, signIn } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  const [formError, setFormError] = useState<string | null>(null);
  const providers = useSignInProviders().data;
  const {
    register,
    handleSubmit,
    setFocus,
    setValue,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { email: '', password: '' },
  });

  // The page is there to type into: the email field has the focus from the start.
  useEffect(() => setFocus('email'), [setFocus]);

  if (session.status === 'signed_in') return <Navigate to={next} replace />;

  const submit = handleSubmit(async ({ email, password }) => {
    setFormError(null);
    try {
      await signIn(email, password);
      navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setFormError('That email and password do not match an account.');
      } else if (err instanceof ApiError) setFormError(err.plainMessage);
      else setFormError('Signing in failed.');
    }
  });

  return (
    <PublicShell
      below={
        <DemoUserList
          onPick={(email, password) => {
            setValue('email', email, { shouldValidate: true });
            setValue('password', password, { shouldValidate: true });
          }}
        />
      }
    >
      <form onSubmit={submit} noValidate aria-label="Sign in">
        <Stack>
          <Title order={1} size="h3">
            Sign in
          </Title>
          {params.get('expired') ? (
            <Alert color="yellow">Your session has ended. Please sign in again.</Alert>
          ) : null}
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            {...register('email')}
            error={errors.email?.message}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            {...register('password')}
            error={errors.password?.message}
          />
          {formError ? (
            <Alert color="red" role="alert">
              {formError}
            </Alert>
          ) : null}
          <Button type="submit" loading={isSubmitting} fullWidth>
            Sign in
          </Button>
          <Group justify="space-between" gap="xs">
            <AuthLink to="/forgot-password">Forgot your password?</AuthLink>
            <AuthLink to="/sign-in/order">No account? Sign in with your order</AuthLink>
          </Group>
        </Stack>
      </form>
      <OidcSignIn provider={providers?.oidc} next={next} />
    </PublicShell>
  );
}
