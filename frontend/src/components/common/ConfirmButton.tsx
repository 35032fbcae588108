import { Button, Group, Modal, Stack, Text, type ButtonProps } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';

interface Props extends Omit<ButtonProps, 'children'> {
  /** The button's words, e.g. "Close case". */
  children: ReactNode;
  /** The question in the dialog's title, e.g. "Close this case?". */
  title: string;
  /** What happens and what cannot be undone, in the reader's words. */
  consequence: ReactNode;
  /** The confirming button's words; they repeat the action, never a bare "OK". */
  confirmLabel: string;
  onConfirm: () => void;
  'aria-label'?: string;
}

/** A button for a step that cannot be taken back: it asks first and says what is lost.
 * Steps that can be undone stay one click. */
export function ConfirmButton({
  children,
  title,
  consequence,
  confirmLabel,
  onConfirm,
  color,
  ...button
}: Props) {
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button color={color} {...button} onClick={open}>
        {children}
      </Button>
      <Modal
        opened={opened}
        onClose={close}
        title={title}
        closeButtonProps={{ 'aria-label': 'Close' }}
        centered
      >
        <Stack gap="md">
          <Text size="sm">{consequence}</Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              Keep it
            </Button>
            <Button
              color={color ?? 'red'}
              onClick={() => {
                close();
                onConfirm();
              }}
            >
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
