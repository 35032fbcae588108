import { api, unwrap } from './http';
import type { StaffMember } from './types';

export function listStaff(): Promise<StaffMember[]> {
  return unwrap(api.GET('/api/v1/staff'));
}
