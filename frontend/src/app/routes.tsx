import { Route, Routes } from 'react-router';
import { CasePage } from '@/pages/CasePage';
import { CasesPage } from '@/pages/CasesPage';
import { HomePage } from '@/pages/HomePage';
import { LoginPage } from '@/pages/LoginPage';
import { NotFoundPage } from '@/pages/NotFoundPage';
import { OrderPage } from '@/pages/OrderPage';
import { OrdersPage } from '@/pages/OrdersPage';
import { RefundPage } from '@/pages/RefundPage';
import { RefundQueuePage } from '@/pages/RefundQueuePage';
import { RefundsPage } from '@/pages/RefundsPage';
import { AppLayout } from './AppLayout';
import { RequireSession, RequireStaff } from './guards';

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireSession />}>
        <Route element={<AppLayout />}>
          <Route index element={<HomePage />} />
          <Route path="orders" element={<OrdersPage />} />
          <Route path="orders/:orderId" element={<OrderPage />} />
          <Route path="cases" element={<CasesPage />} />
          <Route path="cases/:caseId" element={<CasePage />} />
          <Route path="refunds" element={<RefundsPage />} />
          <Route element={<RequireStaff />}>
            <Route path="refunds/queue" element={<RefundQueuePage />} />
          </Route>
          <Route path="refunds/:refundId" element={<RefundPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
