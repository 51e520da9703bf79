"""``cauarena train <method>``: one generic command per registered method, its options read off the method.

Every field of the method's config dataclass becomes an option (``--max-steps``; help = the field's
``Attributes:`` text, its type and default), and so does every keyword of its ``train(config, out, ...)`` after
``out`` (help from the function's ``Args:``). Values are JSON, else plain strings (``--levels '[["GoTo", 3]]'``,
``--model tiny/babyai``; a tuple of strings may be comma-separated: ``--env-ids a,b``); booleans are flags
(``--resume/--no-resume``). A config is built from, in order: the config's defaults, ``--preset``,
``--config FILE.json``, ``--set key=value`` pairs and the field options.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Annotated, Any

import typer

from cauarena.errors import ConfigError, NameNotFound
from cauarena.learners.config_io import config_from_dict, field_docs, parse_overrides, section_docs
from cauarena.learners.methods import TRAIN_METHODS, TrainMethod, find_method
from cauarena.registry import load

__all__ = ["Option", "build_config", "listing", "method_command", "method_options", "run_method"]

FIXED = ("out", "preset", "config", "set")
"""Option names every method has; a config field or ``train`` keyword may not reuse them."""


@dataclass(frozen=True)
class Option:
    """One generated option: a config field or a keyword of ``train``.

    Attributes:
        name: the field or keyword name (``max_steps``; the option is ``--max-steps``).
        type: its annotation as written (``int | None``).
        default: its default value.
        doc: its documentation line.
        field: True for a config field, False for a ``train`` keyword.
    """

    name: str
    type: str
    default: Any
    doc: str
    field: bool

    @property
    def flag(self) -> str:
        """The command-line spelling, ``--max-steps``."""
        return "--" + self.name.replace("_", "-")

    def help(self) -> str:
        """The doc as plain text, then ``(type; default: value)``."""
        return f"{plain(self.doc) or '(undocumented)'} ({self.type}; default: {_show(self.default)})"


def plain(doc: str) -> str:
    """A docstring line without reST markup: roles name their target's last part, literals lose their quotes.

    >>> plain("see :data:`~cauarena.learners.caugym.data.TRAIN_SEED_START`; ``tied`` or ``untied``")
    'see TRAIN_SEED_START; tied or untied'
    """
    doc = re.sub(r":\w+:`~?([^`]*?)`", lambda m: m.group(1).rsplit(".", 1)[-1], doc)
    return doc.replace("``", "")


def _resolve(target: Any, what: str) -> Any:
    """A ``module:attr`` target imported, or the target object itself."""
    return load(target, what=what) if isinstance(target, str) else target


def _type_name(annotation: Any) -> str:
    """An annotation as written: strings (postponed annotations) as they are, classes by name.

    >>> _type_name(int), _type_name("int | None"), _type_name(tuple[str, ...])
    ('int', 'int | None', 'tuple[str, ...]')
    """
    if isinstance(annotation, str):
        return annotation
    return annotation.__name__ if isinstance(annotation, type) and not hasattr(annotation, "__args__") else str(
        annotation)


def _show(value: Any) -> str:
    try:
        return json.dumps(value)
    except TypeError:
        return repr(value)


def _field_default(f: Any) -> Any:
    if f.default is not MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not MISSING else None


def method_options(method: TrainMethod) -> list[Option]:
    """The config fields, then the ``train`` keywords after ``(config, out)``, as options.

    Raises:
        ConfigError: a field or keyword reuses a name in :data:`FIXED` or another's name.
    """
    cls, func = _resolve(method.config, f"{method.name} config"), _resolve(method.target, f"{method.name} train")
    docs = field_docs(cls)
    options = [Option(f.name, _type_name(f.type), _field_default(f), docs[f.name], True) for f in fields(cls)]
    arg_docs = section_docs(func.__doc__, "Args")
    for p in list(inspect.signature(func).parameters.values())[2:]:
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        options.append(Option(p.name, _type_name(p.annotation), p.default, arg_docs.get(p.name, ""), False))
    names = [o.name for o in options]
    clashes = sorted({n for n in names if n in FIXED or names.count(n) > 1})
    if clashes:
        raise ConfigError(f"Train method {method.name!r}: {clashes} are used twice or reserved ({FIXED}). "
                          "Fix: rename the config field or the train() keyword.")
    return options


def build_config(method: TrainMethod, preset: str | None = None, config_file: str | None = None,
                 pairs: tuple[str, ...] = (), given: dict[str, Any] | None = None) -> Any:
    """The method's config from its defaults, a preset, a JSON file, ``--set`` pairs and field options, in order.

    Raises:
        ConfigError: an unknown preset or key, an unreadable file, or a value the config refuses.
    """
    data: dict[str, Any] = {}
    if preset is not None:
        presets = _resolve(method.presets, f"{method.name} presets") if method.presets else {}
        if preset not in presets:
            raise NameNotFound(f"{method.name} preset", preset, list(presets))
        data.update(presets[preset].to_dict())
    if config_file:
        try:
            data.update(json.loads(Path(config_file).read_text()))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"--config takes a JSON file of config fields; reading {config_file!r}: {exc}") from exc
    data.update(parse_overrides(list(pairs)))
    data.update(given or {})
    return config_from_dict(_resolve(method.config, f"{method.name} config"), data)


def run_method(name: str, out: str | Path, *, preset: str | None = None, config_file: str | None = None,
               pairs: tuple[str, ...] = (), fields_given: dict[str, Any] | None = None,
               options: dict[str, Any] | None = None) -> Any:
    """Build the config of method ``name`` and call its ``train(config, Path(out), **options)``.

    Returns:
        What ``train`` returns (usually its metrics).
    """
    method = find_method(name)
    config = build_config(method, preset, config_file, pairs, fields_given)
    return _resolve(method.target, f"{name} train")(config, Path(out), **(options or {}))


def _value(option: Option, text: Any) -> Any:
    if isinstance(text, bool):
        return text
    value = parse_overrides([f"x={text}"])["x"]
    if isinstance(value, str) and option.type.startswith(("tuple", "list")):
        return tuple(part.strip() for part in value.split(","))  # --env-ids a,b
    return Path(value) if "Path" in option.type and isinstance(value, str) else value


def _parameter(option: Option) -> inspect.Parameter:
    if option.type == "bool":
        info = typer.Option(f"{option.flag}/--no-{option.flag[2:]}", help=option.help())
        annotation: Any = Annotated[bool | None, info]
    else:
        info = typer.Option(option.flag, help=option.help(), metavar=option.type.upper().replace(" ", ""))
        annotation = Annotated[str | None, info]
    return inspect.Parameter(option.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)


def _fixed_parameters(method: TrainMethod) -> list[inspect.Parameter]:
    kw = inspect.Parameter.KEYWORD_ONLY
    presets = ", ".join(_resolve(method.presets, f"{method.name} presets")) if method.presets else ""
    fixed = [
        ("out", Annotated[str, typer.Option("--out", metavar="DIR", help="folder for everything the method writes")],
         inspect.Parameter.empty),
        ("preset", Annotated[str | None, typer.Option(help=f"start from a shipped experiment's config: {presets}")],
         None),
        ("config", Annotated[str | None, typer.Option(metavar="FILE", help="a JSON file of config fields")], None),
        ("set", Annotated[list[str], typer.Option("--set", metavar="KEY=VALUE",
                                                  help="a config field as key=JSON (repeatable)")], []),
    ]
    return [inspect.Parameter(n, kw, default=d, annotation=a) for n, a, d in fixed if n != "preset" or presets]


def method_command(name: str, echo: Callable[[str], None] = typer.echo) -> typer.Typer:
    """A one-command Typer app for method ``name``: its fixed options plus one per config field and keyword."""
    method = find_method(name)
    options = method_options(method)

    def command(**given: Any) -> None:
        chosen = {o.name: _value(o, given[o.name]) for o in options if given.get(o.name) is not None}
        result = run_method(name, given["out"], preset=given.get("preset"), config_file=given["config"],
                            pairs=tuple(given["set"]), fields_given={k: v for k, v in chosen.items()
                                                                      if _is_field(options, k)},
                            options={k: v for k, v in chosen.items() if not _is_field(options, k)})
        if isinstance(result, dict):
            echo(summary(result))

    params = _fixed_parameters(method) + [_parameter(o) for o in options]
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    app = typer.Typer(add_completion=False, rich_markup_mode=None)
    app.command(name=name, help=f"{method.description}. Writes only under --out.",
                context_settings={"max_content_width": 120})(command)
    return app


def _is_field(options: list[Option], name: str) -> bool:
    return next(o.field for o in options if o.name == name)


def summary(result: dict[str, Any], width: int = 2000) -> str:
    """``result`` as indented JSON; a value longer than ``width`` characters is named, not printed.

    >>> print(summary({"loss": 0.5, "records": list(range(1000))}, width=40))
    {
     "loss": 0.5,
     "records": "(1000 items: see the files under --out)"
    }
    """
    def short(value: Any) -> Any:
        text = json.dumps(value, default=str)
        if len(text) <= width:
            return value
        size = f"{len(value)} items" if hasattr(value, "__len__") else f"{len(text)} characters"
        return f"({size}: see the files under --out)"

    return json.dumps({k: short(v) for k, v in result.items() if k not in ("config", "machine")}, indent=1,
                      default=str)


def listing() -> str:
    """One line per registered method: its name and description (``cauarena train --help``)."""
    methods = [find_method(name) for name in TRAIN_METHODS.names()]
    width = max((len(m.name) for m in methods), default=0)
    return "\n".join(f"  {m.name:<{width}}  {m.description}" for m in methods)
