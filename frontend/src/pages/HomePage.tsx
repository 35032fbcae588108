import { useMe } from '@/hooks/useSession';
import { isStaff } from '@/services/types';
import { CustomerHome } from './home/CustomerHome';
import { MyWork } from './home/MyWork';

/** The first page after signing in: staff's work queue, or a customer's orders. */
export function HomePage() {
  const me = useMe();
  return isStaff(me.role) ? <MyWork /> : <CustomerHome />;
}
