import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { z } from 'zod';
import { AuthLink, PublicShell } from '@/components/auth/PublicShell';
import { confirmPasswordReset, tokenFromLink } from '@/services/auth';
import { ApiError } from '@/services/http';
import { sentenceOf } from './SignInLinkPage';

const schema = z
  .object({
    password: z.string().min(10, 'Use at least 10 characters').max(256),
    again: z.string(),
  })
  .refine((v) => v.password === v.again, {
    path: ['again'],
    message: 'The two passwords are not the same',
  });
type Values = z.infer<typeof schema>;

/** Where the mailed reset link lands: a new password, checked by the server against common
 * and guessable ones; the link's token is after `#`, never sent with the page. */
export function ResetPasswordPage() {
  const [token] = useState(() => tokenFromLink(window.location.hash));
  const [done, setDone] = useState(false);
  const [linkProblem, setLinkProblem] = useState<string | null>(
    token ? null : 'This link is not complete. Open it from the mail again, or ask for a new one.',
  );
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setFocus,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { password: '', again: '' },
  });

  useEffect(() => {
    if (token) setFocus('password');
  }, [setFocus, token]);

  const submit = handleSubmit(async ({ password }) => {
    if (!token) return;
    setFormError(null);
    try {
      await confirmPasswordReset(token, password);
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_link') {
        setLinkProblem(sentenceOf(err.detail));
      } else if (err instanceof ApiError && err.fieldErrors.password) {
        setError('password', { message: sentenceOf(err.fieldErrors.password) });
      } else {
        setFormError(err instanceof ApiError ? err.plainMessage : 'Changing the password failed.');
      }
    }
  });

  if (linkProblem) {
    return (
      <PublicShell>
        <Stack>
          <Title order={1} size="h3">
            This reset link cannot be used
          </Title>
          <Alert color="yellow" role="alert">
            {linkProblem}
          </Alert>
          <Button component={Link} to="/forgot-password">
            Send a new link
          </Button>
          <AuthLink to="/login">Back to sign in</AuthLink>
        </Stack>
      </PublicShell>
    );
  }
  if (done) {
    return (
      <PublicShell>
        <Stack>
          <Title order={1} size="h3">
            Your password is changed
          </Title>
          <Text>Every other sign-in of your account has ended. Sign in with the new password.</Text>
          <Button component={Link} to="/login">
            Sign in
          </Button>
        </Stack>
      </PublicShell>
    );
  }
  return (
    <PublicShell>
      <form onSubmit={submit} noValidate aria-label="Choose a new password">
        <Stack>
          <Title order={1} size="h3">
            Choose a new password
          </Title>
          <Text size="sm" c="dimmed">
            At least 10 characters. A few unusual words together are easy to remember and hard to
            guess.
          </Text>
          <PasswordInput
            label="New password"
            autoComplete="new-password"
            {...register('password')}
            error={errors.password?.message}
          />
          <PasswordInput
            label="New password again"
            autoComplete="new-password"
            {...register('again')}
            error={errors.again?.message}
          />
          {formError ? (
            <Alert color="red" role="alert">
              {formError}
            </Alert>
          ) : null}
          <Button type="submit" loading={isSubmitting} fullWidth>
            Change the password
          </Button>
        </Stack>
      </form>
    </PublicShell>
  );
}
