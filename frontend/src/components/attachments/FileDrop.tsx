import { ActionIcon, Group, Progress, Stack, Text } from '@mantine/core';
import { Dropzone, type FileRejection } from '@mantine/dropzone';
import { IconFile, IconPaperclip, IconPhoto, IconX } from '@tabler/icons-react';
import { ACCEPTED_TYPES, formatSize, MAX_FILE_BYTES } from '@/services/attachments';
import type { PendingUpload } from '@/services/uploads';

interface Props {
  pending: PendingUpload[];
  onAdd: (files: File[]) => void;
  onRemove: (key: string) => void;
  disabled?: boolean;
  /** Says who will see the files (the note's or the message's readers). */
  description?: string;
  /** The picker's name, and the list's: each drop zone on a page has its own. */
  inputLabel?: string;
  listLabel?: string;
}

/** Where files are dropped, pasted (into the reply box) or picked, with each one's upload. */
export function FileDrop({
  pending,
  onAdd,
  onRemove,
  disabled,
  description,
  inputLabel = 'Attach photos or PDFs',
  listLabel = 'Files to send',
}: Props) {
  const rejected = (rejections: FileRejection[]) =>
    // Handed on: the list shows why each was not sent, in the same words as the API's.
    onAdd(rejections.map((r) => r.file));
  return (
    <Stack gap={6}>
      <Dropzone
        onDrop={onAdd}
        onReject={rejected}
        accept={ACCEPTED_TYPES}
        maxSize={MAX_FILE_BYTES}
        disabled={disabled}
        multiple
        p="xs"
        inputProps={{ 'aria-label': inputLabel }}
      >
        <Group gap="xs" justify="center" style={{ pointerEvents: 'none' }}>
          <IconPaperclip size={16} aria-hidden />
          <Text size="sm" c="dimmed">
            Drop photos or PDFs here, paste them, or click to choose (up to 10 MB each)
            {description ? ` — ${description}` : ''}
          </Text>
        </Group>
      </Dropzone>
      {pending.length ? (
        <Stack
          gap={4}
          component="ul"
          aria-label={listLabel}
          style={{ listStyle: 'none', padding: 0, margin: 0 }}
        >
          {pending.map((p) => (
            <Group key={p.key} component="li" gap="xs" wrap="nowrap" aria-label={p.file.name}>
              {p.file.type === 'application/pdf' ? (
                <IconFile size={16} aria-hidden />
              ) : (
                <IconPhoto size={16} aria-hidden />
              )}
              <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
                <Text size="sm" truncate>
                  {p.file.name}{' '}
                  <Text span size="xs" c="dimmed">
                    {formatSize(p.file.size)}
                  </Text>
                </Text>
                {p.error ? (
                  <Text size="xs" c="red" role="alert">
                    {p.error}
                  </Text>
                ) : p.attachment ? (
                  <Text size="xs" c="dimmed">
                    Uploaded
                  </Text>
                ) : (
                  <Progress
                    value={Math.round(p.progress * 100)}
                    size="sm"
                    aria-label={`Uploading ${p.file.name}`}
                  />
                )}
              </Stack>
              <ActionIcon
                variant="subtle"
                color="gray"
                onClick={() => onRemove(p.key)}
                aria-label={`Remove ${p.file.name}`}
              >
                <IconX size={14} />
              </ActionIcon>
            </Group>
          ))}
        </Stack>
      ) : null}
    </Stack>
  );
}

/** The files of a paste (a screenshot, a copied photo), if it holds any. */
export function filesOfPaste(event: React.ClipboardEvent): File[] {
  return Array.from(event.clipboardData?.files ?? []);
}
