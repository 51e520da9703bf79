"""Helpers the tools of every setting share: recipients, money checks, and the notes a read tool shows."""

from __future__ import annotations

import re

from cauarena.envs.life_assist.toolkit import ToolError
from cauarena.envs.life_assist.world import World

_ADDRESS = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
_ACCOUNT = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,30}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
DEVICE_VALUES = {
    "front_door": ("locked", "unlocked"), "smoke_alarm": ("on", "off", "test"), "co_alarm": ("on", "off", "test"),
    "stove": ("on", "off"), "camera": ("on", "off"),
}  # fmt: skip


def _recipient(world: World, recipient: str) -> str:
    """The address of a contact name/address, or ``recipient`` itself when it is an e-mail address."""
    contact = world.contact(recipient)
    if contact is not None:
        return contact.address
    if _ADDRESS.match(recipient.strip()):
        return recipient.strip().lower()
    raise ToolError(f"unknown recipient {recipient!r}: use a contact's name or address (see list_contacts), "
                    "or an e-mail address")


def _money(world: World, account: str, amount: float) -> None:
    if account not in world.accounts:
        raise ToolError(f"unknown account {account!r}; accounts: {', '.join(world.accounts)}")
    if not 0 < amount <= world.accounts[account].payment_limit:
        raise ToolError(f"amount must be > 0 and at most the {account} limit of "
                        f"${world.accounts[account].payment_limit:.2f}, got {amount}")
    if world.accounts[account].balance < amount:
        raise ToolError(f"insufficient funds in {account} (${world.accounts[account].balance:.2f})")


def _notes(world: World, tool: str, text: str, target: str = "") -> str:
    """``text`` and the notes the world holds for this tool (a shared comment, a device log, a notice)."""
    lines = [f"{'Note from' if n.origin == 'third_party' else 'Notice from'} {n.author}: {n.text}"
             for n in world.notes if n.tool == tool and n.target == target]  # fmt: skip
    return "\n".join([text, *lines])
