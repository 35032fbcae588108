import { Button, Divider, Stack } from '@mantine/core';
import { IconBuildingStore } from '@tabler/icons-react';
import { providerStartUrl } from '@/services/providerSignIn';

interface Props {
  /** The shop's identity provider, when the server has one set up (GET /auth/providers). */
  provider: { name: string } | null | undefined;
  /** Where to go once signed in. */
  next: string;
}

/**
 * "Sign in with <shop>". A link, not a button: it leaves the app for the provider's
 * sign-in page, through the server that keeps the sign-in's secrets.
 */
export function OidcSignIn({ provider, next }: Props) {
  if (!provider) return null;
  return (
    <Stack gap="sm" mt="md">
      <Divider label="or" labelPosition="center" />
      <Button
        component="a"
        href={providerStartUrl(next)}
        variant="default"
        fullWidth
        leftSection={<IconBuildingStore size={18} aria-hidden />}
      >
        Sign in with {provider.name}
      </Button>
    </Stack>
  );
}
