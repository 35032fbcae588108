import { zodResolver } from '@hookform/resolvers/zod';
import {
  ActionIcon,
  Alert,
  Button,
  Group,
  Modal,
  Paper,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { Controller, useFieldArray, useForm, useWatch, type Path } from 'react-hook-form';
import { z } from 'zod';
import { applyServerErrors } from '@/components/common/forms';
import { DryRunResults } from '@/components/policy/DryRunResults';
import { usePolicyDryRun, usePublishPolicy } from '@/hooks/useRefundPolicy';
import { formatMoney, parseMoney, toMajorString } from '@/services/format';
import { ApiError } from '@/services/http';
import { SHOP_CURRENCY } from '@/services/policyWords';
import type { PolicyRules, RefundPolicy } from '@/services/types';

// The API's limits: days 0..3650; limits 0 or more, in cents; SKUs and categories of 2..64
// characters. Whether a category may be final sale and have a window is the server's rule:
// its answer shows under the field it names.
const MOST_DAYS = 3650;
const days = z
  .string()
  .trim()
  .regex(/^\d+$/, 'Whole days, like 14')
  .refine((s) => Number(s) <= MOST_DAYS, `At most ${MOST_DAYS} days`);
const money = z
  .string()
  .refine((s) => parseMoney(s, SHOP_CURRENCY) !== null, 'An amount like 500.00');
const listed = z.string().trim().min(2, 'At least 2 characters').max(64, 'At most 64 characters');
const draftSchema = z.object({
  window_days: days,
  lost_parcel_after_days: days,
  approval_threshold: money,
  amount_refund_threshold: money,
  settlement_threshold: money,
  final_sale_skus: z.array(listed),
  final_sale_categories: z.array(listed),
  category_windows: z.array(z.object({ category: listed, days })),
});
type Draft = z.infer<typeof draftSchema>;

function draftOf(policy: RefundPolicy): Draft {
  const major = (n: number) => toMajorString(n, SHOP_CURRENCY);
  return {
    window_days: String(policy.window_days),
    lost_parcel_after_days: String(policy.lost_parcel_after_days),
    approval_threshold: major(policy.approval_threshold),
    amount_refund_threshold: major(policy.amount_refund_threshold),
    settlement_threshold: major(policy.settlement_threshold),
    final_sale_skus: policy.final_sale_skus,
    final_sale_categories: policy.final_sale_categories,
    category_windows: policy.category_windows.map((w) => ({
      category: w.category,
      days: String(w.days),
    })),
  };
}

/** The rules a draft says, as the API takes them; null while a field is not yet valid. */
export function rulesOf(draft: Draft): PolicyRules | null {
  const parsed = draftSchema.safeParse(draft);
  if (!parsed.success) return null;
  const d = parsed.data;
  const cents = (s: string) => parseMoney(s, SHOP_CURRENCY) ?? 0;
  return {
    window_days: Number(d.window_days),
    lost_parcel_after_days: Number(d.lost_parcel_after_days),
    approval_threshold: cents(d.approval_threshold),
    amount_refund_threshold: cents(d.amount_refund_threshold),
    settlement_threshold: cents(d.settlement_threshold),
    final_sale_skus: d.final_sale_skus,
    final_sale_categories: d.final_sale_categories,
    category_windows: d.category_windows.map((w) => ({
      category: w.category,
      days: Number(w.days),
    })),
  };
}

/** Where the server's field problems go: each row's own inputs before the whole list. */
function serverFields(windows: number): string[] {
  const rows = Array.from({ length: windows }, (_, i) => [
    `category_windows.${i}.category`,
    `category_windows.${i}.days`,
  ]).flat();
  return [...rows, ...Object.keys(draftSchema.shape)];
}

/**
 * A draft of the next version, prefilled from the version in force. It is published only
 * after a dry run of exactly this draft: a change to any field after the dry run asks for a
 * new one. Publishing names the version the draft was made from; if another admin published
 * meanwhile, `onConflict` is told and the page shows the version now in force.
 */
export function PolicyDraft({
  policy,
  onConflict,
}: {
  policy: RefundPolicy;
  onConflict: (message: string) => void;
}) {
  const dryRun = usePolicyDryRun();
  const publish = usePublishPolicy();
  // The draft the dry run on screen judged, as sent.
  const [tried, setTried] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState('');
  const {
    register,
    control,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<Draft>({ resolver: zodResolver(draftSchema), defaultValues: draftOf(policy) });
  const windows = useFieldArray({ control, name: 'category_windows' });
  const values = useWatch({ control }) as Draft;
  const current = rulesOf(values);
  const currentKey = current ? JSON.stringify(current) : null;
  const triedThis = tried !== null && tried === currentKey && dryRun.isSuccess;
  const next = policy.version + 1;

  const refused = (err: unknown) =>
    setFormError(
      applyServerErrors(err, setError, serverFields(values.category_windows?.length ?? 0)),
    );

  const tryDraft = handleSubmit(async (draft) => {
    const rules = rulesOf(draft);
    if (!rules) return;
    setFormError(null);
    try {
      await dryRun.mutateAsync(rules);
      setTried(JSON.stringify(rules));
    } catch (err) {
      setTried(null);
      refused(err);
    }
  });

  const publishDraft = async () => {
    if (!current) return;
    setConfirming(false);
    setFormError(null);
    try {
      const published = await publish.mutateAsync({
        body: { ...current, note: note.trim() },
        basedOn: policy.version,
      });
      notifications.show({
        color: 'green',
        message: `Version ${published.version} of the refund policy is in force.`,
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'version_conflict') {
        onConflict(
          'Another admin published a new version meanwhile, so yours was not published. ' +
            'The page now shows the version in force: make your changes again on it, try ' +
            'them, then publish.',
        );
      } else refused(err);
    }
  };

  const limitInput = (name: Path<Draft>, words: string, description: string) => (
    <TextInput
      label={`${words} (${SHOP_CURRENCY})`}
      description={description}
      inputMode="decimal"
      {...register(name)}
      error={(errors[name as keyof Draft] as { message?: string } | undefined)?.message}
    />
  );

  const tagsInput = (
    name: 'final_sale_skus' | 'final_sale_categories',
    label: string,
    description: string,
  ) => (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <TagsInput
          label={label}
          description={description}
          value={field.value}
          onChange={field.onChange}
          onBlur={field.onBlur}
          error={errors[name]?.message ?? errors[name]?.[0]?.message}
        />
      )}
    />
  );

  return (
    <Stack gap="lg">
      <Paper withBorder p="md" component="section" aria-labelledby="policy-draft-title">
        <Title order={2} size="h4" id="policy-draft-title" mb="sm">
          Draft of version {next}
        </Title>
        <form onSubmit={tryDraft} noValidate aria-label="Policy draft">
          <Stack gap="md">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label="Refund window (days)"
                description="Days after delivery a refund may go back through the payment provider"
                inputMode="numeric"
                {...register('window_days')}
                error={errors.window_days?.message}
              />
              <TextInput
                label="Lost in transit after (days)"
                description="A parcel shipped and not delivered counts as lost after this"
                inputMode="numeric"
                {...register('lost_parcel_after_days')}
                error={errors.lost_parcel_after_days?.message}
              />
            </SimpleGrid>
            <div>
              <Text size="sm" fw={500}>
                What an agent may decide per order
              </Text>
              <Text size="xs" c="dimmed" mb="xs">
                Counting what the order's other refunds already give; above it, a supervisor
                decides.
              </Text>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                {limitInput('approval_threshold', 'Refunds of units', 'Items sent back')}
                {limitInput(
                  'amount_refund_threshold',
                  'Refunds of an amount',
                  'Goodwill, shipping',
                )}
                {limitInput('settlement_threshold', 'Settlements', 'Store credit, vouchers')}
              </SimpleGrid>
            </div>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {tagsInput(
                'final_sale_skus',
                'Final-sale SKUs',
                'Never refunded through the payment provider; press Enter after each',
              )}
              {tagsInput(
                'final_sale_categories',
                'Final-sale categories',
                'Product categories, as the order system names them',
              )}
            </SimpleGrid>
            <div role="group" aria-labelledby="category-windows-title">
              <Text size="sm" fw={500} id="category-windows-title">
                Windows of their own
              </Text>
              <Text size="xs" c="dimmed" mb="xs">
                A product category's window instead of the refund window; a refund of several
                categories gets the shortest.
              </Text>
              <Stack gap="xs">
                {windows.fields.map((row, i) => (
                  <Group key={row.id} align="flex-start" wrap="nowrap">
                    <TextInput
                      label={`Category ${i + 1}`}
                      style={{ flex: 2 }}
                      {...register(`category_windows.${i}.category`)}
                      error={errors.category_windows?.[i]?.category?.message}
                    />
                    <TextInput
                      label={`Days for category ${i + 1}`}
                      inputMode="numeric"
                      style={{ flex: 1 }}
                      {...register(`category_windows.${i}.days`)}
                      error={errors.category_windows?.[i]?.days?.message}
                    />
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      mt={26}
                      size="lg"
                      aria-label={`Remove category ${i + 1}`}
                      onClick={() => windows.remove(i)}
                    >
                      <IconTrash size={18} />
                    </ActionIcon>
                  </Group>
                ))}
                {errors.category_windows?.message ? (
                  <Text size="sm" c="red">
                    {errors.category_windows.message}
                  </Text>
                ) : null}
                <Group>
                  <Button
                    variant="subtle"
                    size="compact-sm"
                    leftSection={<IconPlus size={16} />}
                    onClick={() => windows.append({ category: '', days: values.window_days ?? '' })}
                  >
                    Add a category
                  </Button>
                </Group>
              </Stack>
            </div>
            {formError ? (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            ) : null}
            <Group justify="space-between" align="center">
              <Text size="sm" c="dimmed" aria-live="polite">
                {triedThis
                  ? 'The dry run below is of this draft.'
                  : tried !== null
                    ? 'The draft changed after the dry run: try it again before publishing.'
                    : 'Try the draft on the last 30 days before publishing it.'}
              </Text>
              <Group gap="xs">
                <Button type="submit" variant="default" loading={dryRun.isPending}>
                  Try on the last 30 days
                </Button>
                <Button
                  disabled={!triedThis}
                  loading={publish.isPending}
                  onClick={() => setConfirming(true)}
                >
                  Publish as version {next}
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      </Paper>
      {dryRun.data ? (
        <Paper withBorder p="md" component="section" aria-labelledby="dry-run-title">
          <Title order={2} size="h4" id="dry-run-title" mb="sm">
            Dry run
          </Title>
          <DryRunResults run={dryRun.data} stale={!triedThis} />
        </Paper>
      ) : null}
      <Modal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title={`Publish version ${next} of the refund policy?`}
        closeButtonProps={{ 'aria-label': 'Close' }}
        centered
      >
        <Stack gap="md">
          <Text size="sm">
            It is in force at once: every approval, rejection and settlement from now on is decided
            under it and names it. Decisions already taken keep their version.
            {current
              ? ` Refund window ${current.window_days} days; agents decide up to ${formatMoney(
                  current.approval_threshold,
                  SHOP_CURRENCY,
                )} per order in refunds of units.`
              : ''}
          </Text>
          <Textarea
            label="Note for the history (optional)"
            description="What changed and why"
            autosize
            minRows={2}
            maxLength={500}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Keep editing
            </Button>
            <Button onClick={() => void publishDraft()}>Publish version {next}</Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
