"""A staff member's notification settings: which mails they get."""

from __future__ import annotations

from fastapi import APIRouter

from supportdesk.api.deps import ContainerDep, CurrentActor
from supportdesk.api.openapi import problems
from supportdesk.api.schemas import NotificationSettingsOut, NotificationSettingsPatch
from supportdesk.domain.access import Actor
from supportdesk.domain.notifications import NotificationSettings

router = APIRouter(tags=["notifications"])


def _out(settings: NotificationSettings, actor: Actor) -> NotificationSettingsOut:
    return NotificationSettingsOut(
        case_replies=settings.case_replies,
        new_unassigned=settings.new_unassigned,
        # Not offered to staff who are never asked to approve above the threshold.
        supervisor_approvals=(
            settings.supervisor_approvals if actor.may_approve_above_threshold else None
        ),
    )


@router.get(
    "/me/notification-settings",
    response_model=NotificationSettingsOut,
    summary="My notification settings (staff)",
    responses=problems(403),
)
async def get_notification_settings(
    actor: CurrentActor, container: ContainerDep
) -> NotificationSettingsOut:
    return _out(await container.auth_service().notification_settings(actor), actor)


@router.patch(
    "/me/notification-settings",
    response_model=NotificationSettingsOut,
    summary="Change my notification settings (staff)",
    responses=problems(403, 422),
)
async def change_notification_settings(
    body: NotificationSettingsPatch, actor: CurrentActor, container: ContainerDep
) -> NotificationSettingsOut:
    chosen = await container.auth_service().change_notification_settings(
        actor,
        case_replies=body.case_replies,
        new_unassigned=body.new_unassigned,
        supervisor_approvals=body.supervisor_approvals,
    )
    return _out(chosen, actor)
