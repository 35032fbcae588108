import { zodResolver } from '@hookform/resolvers/zod';
import { NativeSelect, PasswordInput, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { label } from '@/services/format';
import { ROLES, type UserCreate } from '@/services/types';
import { applyServerErrors } from '../common/forms';
import { FormSubmit } from '@/components/common/FormSubmit';

// The API's limits (UserCreateIn).
const schema = z
  .object({
    email: z.string().trim().email('Enter a valid email address'),
    name: z.string().trim().min(1, 'Enter a name').max(200, 'Keep it to 200 characters or fewer'),
    role: z.enum(ROLES),
    password: z.string().min(12, 'Use at least 12 characters').max(1024),
    customer_id: z
      .string()
      .trim()
      .max(64)
      .regex(/^[A-Za-z0-9_.:-]*$/, 'Letters, digits and _ . : - only'),
  })
  .refine((v) => v.role !== 'customer' || v.customer_id.length > 0, {
    message: 'A customer needs the shop’s customer id',
    path: ['customer_id'],
  });
type Values = z.infer<typeof schema>;

export function UserForm({ onSubmit }: { onSubmit: (u: UserCreate) => Promise<unknown> }) {
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    control,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { email: '', name: '', role: 'agent', password: '', customer_id: '' },
  });
  const role = useWatch({ control, name: 'role' });
  const submit = handleSubmit(async (v) => {
    setFormError(null);
    try {
      await onSubmit({ ...v, customer_id: v.role === 'customer' ? v.customer_id : null });
      reset();
    } catch (err) {
      setFormError(
        applyServerErrors(err, setError, ['email', 'name', 'role', 'password', 'customer_id']),
      );
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Add a user">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Email"
            type="email"
            {...register('email')}
            error={errors.email?.message}
          />
          <TextInput label="Name" {...register('name')} error={errors.name?.message} />
          <NativeSelect
            label="Role"
            data={ROLES.map((r) => ({ value: r, label: label(r) }))}
            {...register('role')}
            error={errors.role?.message}
          />
          {role === 'customer' ? (
            <TextInput
              label="Customer id"
              placeholder="CUST-1003"
              {...register('customer_id')}
              error={errors.customer_id?.message}
            />
          ) : (
            <span />
          )}
          <PasswordInput
            label="Initial password"
            autoComplete="new-password"
            {...register('password')}
            error={errors.password?.message}
          />
        </SimpleGrid>
        <FormSubmit error={formError} loading={isSubmitting}>
          Add user
        </FormSubmit>
      </Stack>
    </form>
  );
}
