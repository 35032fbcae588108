import { Alert, Button, Group, type ButtonProps } from '@mantine/core';
import type { ReactNode } from 'react';

/** The end of a form: what the server refused, if anything, then the submit button on the
 * right. Extra props go to the button (loading, disabled, color, variant). */
export function FormSubmit({
  error,
  children,
  ...button
}: ButtonProps & { error: string | null; children: ReactNode; disabled?: boolean }) {
  return (
    <>
      {error ? (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      ) : null}
      <Group justify="flex-end">
        <Button type="submit" {...button}>
          {children}
        </Button>
      </Group>
    </>
  );
}
