import { lazy, type ComponentType } from 'react';
import { Route, Routes } from 'react-router';
import { LoginPage } from '@/pages/LoginPage';
import { NotFoundPage } from '@/pages/NotFoundPage';
import { OidcCallbackPage } from '@/pages/OidcCallbackPage';
import { AppLayout } from './AppLayout';
import { RequireAdmin, RequireSession, RequireStaff } from './guards';

// Pages load on first visit, so signing in does not wait for the charts or the agent's tools.
const named = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(async () => ({ default: (await load())[name] }));
const HomePage = named(() => import('@/pages/HomePage'), 'HomePage');
const DashboardPage = named(() => import('@/pages/DashboardPage'), 'DashboardPage');
const CannedRepliesPage = named(
  () => import('@/pages/settings/CannedRepliesPage'),
  'CannedRepliesPage',
);
const OrdersPage = named(() => import('@/pages/OrdersPage'), 'OrdersPage');
const OrderPage = named(() => import('@/pages/OrderPage'), 'OrderPage');
const CasesPage = named(() => import('@/pages/CasesPage'), 'CasesPage');
const CasePage = named(() => import('@/pages/CasePage'), 'CasePage');
const RefundsPage = named(() => import('@/pages/RefundsPage'), 'RefundsPage');
const RefundQueuePage = named(() => import('@/pages/RefundQueuePage'), 'RefundQueuePage');
const RefundPage = named(() => import('@/pages/RefundPage'), 'RefundPage');
const CustomerPage = named(() => import('@/pages/CustomerPage'), 'CustomerPage');
const UsersPage = named(() => import('@/pages/UsersPage'), 'UsersPage');
const RefundReasonsPage = named(
  () => import('@/pages/settings/RefundReasonsPage'),
  'RefundReasonsPage',
);
const RefundPolicyPage = named(
  () => import('@/pages/settings/RefundPolicyPage'),
  'RefundPolicyPage',
);
const SentMailPage = named(() => import('@/pages/notifications/SentMailPage'), 'SentMailPage');
const OutboxPage = named(() => import('@/pages/notifications/OutboxPage'), 'OutboxPage');
const WebhooksPage = named(() => import('@/pages/webhooks/WebhooksPage'), 'WebhooksPage');
const WebhookEndpointPage = named(
  () => import('@/pages/webhooks/WebhookEndpointPage'),
  'WebhookEndpointPage',
);
const OrderSignInPage = named(() => import('@/pages/auth/OrderSignInPage'), 'OrderSignInPage');
const SignInLinkPage = named(() => import('@/pages/auth/SignInLinkPage'), 'SignInLinkPage');
const ForgotPasswordPage = named(
  () => import('@/pages/auth/ForgotPasswordPage'),
  'ForgotPasswordPage',
);
const ResetPasswordPage = named(
  () => import('@/pages/auth/ResetPasswordPage'),
  'ResetPasswordPage',
);
const NotificationSettingsPage = named(
  () => import('@/pages/notifications/NotificationSettingsPage'),
  'NotificationSettingsPage',
);

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/sign-in/order" element={<OrderSignInPage />} />
      <Route path="/sign-in/link" element={<SignInLinkPage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route path="/sign-in/oidc" element={<OidcCallbackPage />} />
      <Route element={<RequireSession />}>
        <Route element={<AppLayout />}>
          <Route index element={<HomePage />} />
          <Route path="orders" element={<OrdersPage />} />
          <Route path="orders/:orderId" element={<OrderPage />} />
          <Route path="cases" element={<CasesPage />} />
          <Route path="cases/:caseId" element={<CasePage />} />
          <Route path="refunds" element={<RefundsPage />} />
          <Route element={<RequireStaff />}>
            <Route path="dashboard" element={<DashboardPage />} />
            <Route path="refunds/queue" element={<RefundQueuePage />} />
            <Route path="settings/canned-replies" element={<CannedRepliesPage />} />
            <Route path="customers/:customerId" element={<CustomerPage />} />
            <Route path="settings/notifications" element={<NotificationSettingsPage />} />
          </Route>
          <Route path="refunds/:refundId" element={<RefundPage />} />
          <Route element={<RequireAdmin />}>
            <Route path="users" element={<UsersPage />} />
            <Route path="admin/outbox" element={<OutboxPage />} />
            <Route path="admin/mail" element={<SentMailPage />} />
            <Route path="admin/webhooks" element={<WebhooksPage />} />
            <Route path="admin/refund-reasons" element={<RefundReasonsPage />} />
            <Route path="admin/refund-policy" element={<RefundPolicyPage />} />
            <Route path="admin/webhooks/:endpointId" element={<WebhookEndpointPage />} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
