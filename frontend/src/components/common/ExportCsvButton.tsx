import { Alert, Button, Stack } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '@/services/http';

/** Downloads what the list shows (its filters, every page) as CSV; an export that failed
 * says so instead of leaving a file that looks complete. */
export function ExportCsvButton({
  download,
  filename,
}: {
  download: () => Promise<Blob>;
  filename: string;
}) {
  const [exporting, setExporting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Stack gap="xs" align="flex-end">
      <Button
        variant="default"
        size="xs"
        loading={exporting}
        onClick={async () => {
          setExporting(true);
          setError(null);
          try {
            const href = URL.createObjectURL(await download());
            Object.assign(document.createElement('a'), { href, download: filename }).click();
            URL.revokeObjectURL(href);
          } catch (err) {
            setError(err instanceof ApiError ? err.plainMessage : 'The export failed.');
          } finally {
            setExporting(false);
          }
        }}
      >
        Export CSV
      </Button>
      {error ? (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      ) : null}
    </Stack>
  );
}
