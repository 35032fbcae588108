"""Webhook endpoints of the shop's, for admins: register, change, rotate the secret, read
the delivery log and send a delivery again (docs/webhooks.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response

from supportdesk.api.deps import AdminActor, ContainerDep
from supportdesk.api.filters import Cursor, Limit
from supportdesk.api.openapi import problems
from supportdesk.api.schemas import (
    Page,
    WebhookDeliveryOut,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPatchIn,
    WebhookEndpointWithSecretOut,
)
from supportdesk.application.webhooks import EndpointChanges, WebhookDelivery, WebhookEndpoint
from supportdesk.domain.webhooks import WebhookEventType

router = APIRouter(prefix="/webhook-endpoints", tags=["webhooks"])

EndpointId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_]+$")]
DeliveryId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _out(endpoint: WebhookEndpoint) -> WebhookEndpointOut:
    return WebhookEndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        event_types=[WebhookEventType(t) for t in endpoint.event_types],
        description=endpoint.description,
        active=endpoint.active,
        disabled_reason=endpoint.disabled_reason,
        previous_secret_valid_until=_overlap_end(endpoint),
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def _with_secret(endpoint: WebhookEndpoint) -> WebhookEndpointWithSecretOut:
    return WebhookEndpointWithSecretOut(
        **_out(endpoint).model_dump(), secret=endpoint.secrets.current
    )


def _overlap_end(endpoint: WebhookEndpoint) -> datetime | None:
    """Until when the old secret still signs; None once it no longer does."""
    until = endpoint.secrets.previous_until
    return until if until is not None and until > datetime.now(UTC) else None


def _delivery_out(delivery: WebhookDelivery) -> WebhookDeliveryOut:
    return WebhookDeliveryOut(
        id=delivery.id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        attempt=delivery.attempt,
        state=delivery.state,
        status_code=delivery.status_code,
        latency_ms=delivery.latency_ms,
        response_excerpt=delivery.response_excerpt,
        error=delivery.error,
        at=delivery.at,
        next_attempt_at=delivery.next_attempt_at,
    )


@router.post(
    "",
    response_model=WebhookEndpointWithSecretOut,
    status_code=201,
    summary="Register an endpoint; its signing secret is in this answer only (admin)",
    responses=problems(403),
)
async def create_endpoint(
    body: WebhookEndpointIn, _admin: AdminActor, container: ContainerDep, response: Response
) -> WebhookEndpointWithSecretOut:
    endpoint = await container.webhook_service().create(
        body.url, [t.value for t in body.event_types], body.description
    )
    response.headers["Location"] = f"/api/v1/webhook-endpoints/{endpoint.id}"
    return _with_secret(endpoint)


@router.get(
    "",
    response_model=list[WebhookEndpointOut],
    summary="Endpoints, oldest first (admin)",
    responses=problems(403),
)
async def list_endpoints(_admin: AdminActor, container: ContainerDep) -> list[WebhookEndpointOut]:
    return [_out(e) for e in await container.webhook_service().all()]


@router.get(
    "/{endpoint_id}",
    response_model=WebhookEndpointOut,
    summary="One endpoint (admin)",
    responses=problems(403, 404),
)
async def get_endpoint(
    endpoint_id: EndpointId, _admin: AdminActor, container: ContainerDep
) -> WebhookEndpointOut:
    return _out(await container.webhook_service().get(endpoint_id))


@router.patch(
    "/{endpoint_id}",
    response_model=WebhookEndpointOut,
    summary="Change an endpoint, or turn it off or on (admin)",
    responses=problems(403, 404),
)
async def change_endpoint(
    endpoint_id: EndpointId,
    body: WebhookEndpointPatchIn,
    _admin: AdminActor,
    container: ContainerDep,
) -> WebhookEndpointOut:
    changes = EndpointChanges(
        url=body.url,
        event_types=None if body.event_types is None else [t.value for t in body.event_types],
        description=body.description,
        active=body.active,
        fields=frozenset(body.model_fields_set),
    )
    return _out(await container.webhook_service().change(endpoint_id, changes))


@router.delete(
    "/{endpoint_id}",
    status_code=204,
    summary="Delete an endpoint and what is queued for it (admin)",
    responses=problems(403, 404),
)
async def delete_endpoint(
    endpoint_id: EndpointId, _admin: AdminActor, container: ContainerDep
) -> Response:
    await container.webhook_service().delete(endpoint_id)
    return Response(status_code=204)


@router.post(
    "/{endpoint_id}/rotate-secret",
    response_model=WebhookEndpointWithSecretOut,
    summary="A new signing secret; the old one signs too for 24 hours (admin)",
    responses=problems(403, 404),
)
async def rotate_secret(
    endpoint_id: EndpointId, _admin: AdminActor, container: ContainerDep
) -> WebhookEndpointWithSecretOut:
    return _with_secret(await container.webhook_service().rotate_secret(endpoint_id))


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=Page[WebhookDeliveryOut],
    summary="The endpoint's deliveries, newest first (admin)",
    responses=problems(403, 404),
)
async def list_deliveries(
    endpoint_id: EndpointId,
    _admin: AdminActor,
    container: ContainerDep,
    limit: Limit = 25,
    cursor: Cursor = None,
) -> Page[WebhookDeliveryOut]:
    page = await container.webhook_service().deliveries(endpoint_id, limit=limit, cursor=cursor)
    return Page(items=[_delivery_out(d) for d in page.items], next_cursor=page.next_cursor)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/retry",
    response_model=WebhookDeliveryOut,
    summary="Send a delivery again, from now: same webhook-id, same body (admin)",
    responses=problems(403, 404, 409),
)
async def send_again(
    endpoint_id: EndpointId, delivery_id: DeliveryId, _admin: AdminActor, container: ContainerDep
) -> WebhookDeliveryOut:
    delivery = await container.webhook_service().send_again(endpoint_id, delivery_id)
    # This process's dispatcher takes it at once; other workers at their next poll.
    container.outbox_written.set()
    return _delivery_out(delivery)
