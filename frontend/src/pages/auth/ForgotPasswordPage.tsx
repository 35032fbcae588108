import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { AuthLink, PublicShell } from '@/components/auth/PublicShell';
import { requestPasswordReset } from '@/services/auth';
import { ApiError } from '@/services/http';

const schema = z.object({
  email: z.string().trim().max(320).email('Enter the email address of your account'),
});
type Values = z.infer<typeof schema>;

export function ForgotPasswordPage() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setFocus,
    formState: { errors, isSubmitting },
  } = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { email: '' } });

  useEffect(() => setFocus('email'), [setFocus]);

  const submit = handleSubmit(async ({ email }) => {
    setFormError(null);
    try {
      await requestPasswordReset(email);
      setSentTo(email);
    } catch (err) {
      setFormError(err instanceof ApiError ? err.plainMessage : 'Sending the link failed.');
    }
  });

  return (
    <PublicShell>
      {sentTo ? (
        <Stack>
          <Title order={1} size="h3">
            Check your inbox
          </Title>
          <Text>
            If {sentTo} has an account, we have sent it a link to choose a new password. It works
            once, for 30 minutes.
          </Text>
          <AuthLink to="/login">Back to sign in</AuthLink>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate aria-label="Reset your password">
          <Stack>
            <Title order={1} size="h3">
              Reset your password
            </Title>
            <Text size="sm" c="dimmed">
              We mail you a link to choose a new one.
            </Text>
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              {...register('email')}
              error={errors.email?.message}
            />
            {formError ? (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            ) : null}
            <Button type="submit" loading={isSubmitting} fullWidth>
              Email me a reset link
            </Button>
            <AuthLink to="/login">Back to sign in</AuthLink>
          </Stack>
        </form>
      )}
    </PublicShell>
  );
}
