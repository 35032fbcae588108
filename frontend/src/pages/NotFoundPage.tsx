import { Button, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

export function NotFoundPage({ what = 'page' }: { what?: string }) {
  return (
    <Stack align="center" py="xl" gap="sm">
      <Title order={1} size="h2">
        Not found
      </Title>
      <Text c="dimmed" ta="center">
        We could not find that {what}. It may not exist, or it is not yours to see.
      </Text>
      <Button component={Link} to="/" variant="light">
        Go to the start page
      </Button>
    </Stack>
  );
}
