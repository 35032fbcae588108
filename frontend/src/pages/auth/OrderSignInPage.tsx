import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { AuthLink, PublicShell } from '@/components/auth/PublicShell';
import { requestOrderLink } from '@/services/auth';
import { ApiError } from '@/services/http';

const schema = z.object({
  orderId: z.string().trim().min(1, 'Enter the order number from your confirmation mail').max(64),
  email: z.string().trim().max(320).email('Enter the email address you ordered with'),
});
type Values = z.infer<typeof schema>;

/** Customers without an account sign in as shops' return portals let them: the order
 * number and the email on the order, then a one-time link by mail. */
export function OrderSignInPage() {
  const [sentTo, setSentTo] = useState<Values | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setFocus,
    formState: { errors, isSubmitting },
  } = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { orderId: '', email: '' } });

  useEffect(() => setFocus('orderId'), [setFocus]);

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await requestOrderLink(values.orderId, values.email);
      setSentTo(values);
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
            If {sentTo.orderId} was ordered with {sentTo.email}, we have sent a sign-in link to that
            address. It works once, for 15 minutes.
          </Text>
          <Text size="sm" c="dimmed">
            Nothing after a few minutes? Check the spam folder, or make sure the order number and
            email are the ones on your order confirmation.
          </Text>
          <Button variant="default" onClick={() => setSentTo(null)}>
            Send another link
          </Button>
          <AuthLink to="/login">Back to sign in</AuthLink>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate aria-label="Sign in with your order">
          <Stack>
            <Title order={1} size="h3">
              Sign in with your order
            </Title>
            <Text size="sm" c="dimmed">
              No account needed: we mail you a link to sign in.
            </Text>
            <TextInput
              label="Order number"
              placeholder="ORD-1234"
              autoComplete="off"
              {...register('orderId')}
              error={errors.orderId?.message}
            />
            <TextInput
              label="Email on the order"
              type="email"
              autoComplete="email"
              {...register('email')}
              error={errors.email?.message}
            />
            {formError ? (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            ) : null}
            <Button type="submit" loading={isSubmitting} fullWidth>
              Email me a sign-in link
            </Button>
            <AuthLink to="/login">Sign in with a password instead</AuthLink>
          </Stack>
        </form>
      )}
    </PublicShell>
  );
}
