import {
  Anchor,
  Box,
  Button,
  Center,
  Group,
  Image,
  Loader,
  Modal,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { IconFileTypePdf, IconLock, IconPhotoOff } from '@tabler/icons-react';
import { useState } from 'react';
import { useAttachmentUrl } from '@/hooks/useAttachments';
import { formatSize } from '@/services/attachments';
import type { Attachment } from '@/services/types';

interface Props {
  attachments: Attachment[];
  /** Shown above the thumbnails (e.g. "Files of the refund request"). */
  label?: string;
  /** Admins may redact a file. */
  onRedact?: (attachment: Attachment) => void;
}

const isImage = (a: Attachment) => a.content_type.startsWith('image/');

/** Thumbnails of a message's (or a case's) files; a click opens the viewer. */
export function AttachmentGallery({ attachments, label, onRedact }: Props) {
  const [open, setOpen] = useState<Attachment | null>(null);
  if (!attachments.length) return null;
  return (
    <Box mt="xs">
      {label ? (
        <Text size="xs" c="dimmed" mb={4}>
          {label}
        </Text>
      ) : null}
      <Group
        gap="xs"
        component="ul"
        aria-label="Attached files"
        style={{ listStyle: 'none', padding: 0, margin: 0 }}
      >
        {attachments.map((a) => (
          <li key={a.id}>
            <Thumbnail attachment={a} onOpen={() => setOpen(a)} />
          </li>
        ))}
      </Group>
      <Viewer attachment={open} onClose={() => setOpen(null)} onRedact={onRedact} />
    </Box>
  );
}

function Thumbnail({ attachment, onOpen }: { attachment: Attachment; onOpen: () => void }) {
  const image = isImage(attachment) && !attachment.redacted;
  const { url, isError } = useAttachmentUrl(attachment, image);
  const size = 88;
  let face: React.ReactNode;
  if (attachment.redacted) {
    face = <IconPhotoOff size={28} aria-hidden />;
  } else if (!image) {
    face = <IconFileTypePdf size={32} aria-hidden />;
  } else if (url) {
    face = <Image src={url} alt="" w={size} h={size} fit="cover" radius="sm" />;
  } else if (isError) {
    face = <IconPhotoOff size={28} aria-hidden />;
  } else {
    face = <Loader size="sm" />;
  }
  return (
    <UnstyledButton
      onClick={onOpen}
      disabled={attachment.redacted}
      aria-label={
        attachment.redacted
          ? `${attachment.filename} (removed by an admin)`
          : `Open ${attachment.filename}`
      }
      title={attachment.filename}
      style={{
        width: size,
        border: '1px solid var(--mantine-color-default-border)',
        borderRadius: 'var(--mantine-radius-sm)',
        overflow: 'hidden',
      }}
    >
      <Center h={size} bg="var(--mantine-color-default-hover)">
        {face}
      </Center>
      <Text size="xs" truncate px={4} py={2}>
        {attachment.internal ? <IconLock size={10} aria-label="Internal" /> : null}{' '}
        {attachment.filename}
      </Text>
    </UnstyledButton>
  );
}

function Viewer({
  attachment,
  onClose,
  onRedact,
}: {
  attachment: Attachment | null;
  onClose: () => void;
  onRedact?: (attachment: Attachment) => void;
}) {
  const { url, isError } = useAttachmentUrl(attachment, !!attachment);
  return (
    <Modal
      opened={!!attachment}
      onClose={onClose}
      title={attachment?.filename ?? ''}
      size="xl"
      centered
      closeButtonProps={{ 'aria-label': 'Close the viewer' }}
    >
      {attachment ? (
        <Stack gap="sm">
          {isImage(attachment) ? (
            url ? (
              <Image src={url} alt={attachment.filename} fit="contain" mah="70vh" />
            ) : isError ? (
              <Text c="red">This file could not be loaded.</Text>
            ) : (
              <Center h={200}>
                <Loader />
              </Center>
            )
          ) : (
            <Text size="sm">PDF documents open in your own viewer: download it to read it.</Text>
          )}
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              {attachment.content_type} · {formatSize(attachment.size)}
              {attachment.internal ? ' · internal: customers never see it' : ''}
            </Text>
            <Group gap="xs">
              {onRedact ? (
                <Button
                  variant="subtle"
                  color="red"
                  size="xs"
                  onClick={() => {
                    onRedact(attachment);
                    onClose();
                  }}
                >
                  Redact
                </Button>
              ) : null}
              {url ? (
                <Anchor href={url} download={attachment.filename} size="sm">
                  Download
                </Anchor>
              ) : null}
            </Group>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
