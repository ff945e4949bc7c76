"""The `sitegen` command: parse arguments, call one function per command, map to exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sitegen import __version__
from sitegen.build import BuildOptions, BuildReport, build, clean
from sitegen.config import load_config
from sitegen.model import InputError
from sitegen.output import check_output_dir
from sitegen.scaffold import create_site

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


class Console:
    """Where messages go: progress and notices to stderr, results to stdout."""

    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose

    def info(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

    def detail(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr, flush=True)

    def error(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)


def _add_output_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    group.add_argument("-v", "--verbose", action="store_true", help="print time per stage")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitegen", description=__doc__)
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="render content/ into the output folder")
    build_cmd.add_argument("--site", type=Path, default=Path("."), help="site folder (default .)")
    build_cmd.add_argument("--output", type=Path, help="output folder (default: output_dir)")
    build_cmd.add_argument("--drafts", action="store_true", help="include drafts")
    build_cmd.add_argument("--future", action="store_true", help="include future-dated articles")
    build_cmd.add_argument("--base-url", help="override base_url, e.g. for a preview host")
    build_cmd.add_argument("--no-cache", action="store_true", help="ignore the build cache")
    build_cmd.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
    _add_output_flags(build_cmd)

    new_cmd = commands.add_parser("new", help="create a new site that builds at once")
    new_cmd.add_argument("path", type=Path)
    _add_output_flags(new_cmd)

    serve_cmd = commands.add_parser("serve", help="preview with live reload on 127.0.0.1")
    serve_cmd.add_argument("--site", type=Path, default=Path("."))
    serve_cmd.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
    )
    serve_cmd.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve_cmd.add_argument("--open", action="store_true", help="open the site in a browser")
    serve_cmd.add_argument("--drafts", action="store_true", help="include drafts")
    serve_cmd.add_argument("--future", action="store_true", help="include future-dated articles")
    _add_output_flags(serve_cmd)

    deploy_cmd = commands.add_parser("deploy", help="publish the built site, sending what changed")
    deploy_cmd.add_argument("target", nargs="?", help="target name (default: deploy.default)")
    deploy_cmd.add_argument("--site", type=Path, default=Path("."))
    deploy_cmd.add_argument("--output", type=Path, help="built site folder (default: output_dir)")
    deploy_cmd.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    deploy_cmd.add_argument("--yes", action="store_true", help="do not ask before mass deletes")
    deploy_cmd.add_argument("--max-deletes", type=int, help="ask (or stop) above this many deletes")
    deploy_cmd.add_argument(
        "--rollback", action="store_true", help="make the previous release live"
    )
    _add_output_flags(deploy_cmd)

    import_cmd = commands.add_parser("import", help="turn raw news into clean articles in content/")
    import_cmd.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help=".html/.txt file, page URL or RSS/Atom feed (default: site.yaml sources)",
    )
    import_cmd.add_argument("--site", type=Path, default=Path("."))
    import_cmd.add_argument("--topic", action="append", default=[], help="add a topic (repeatable)")
    import_cmd.add_argument("--tag", action="append", default=[], help="add a tag (repeatable)")
    import_cmd.add_argument("--source-name", help="name of the source, e.g. 'IT BOLTWISE'")
    import_cmd.add_argument("--lang", help="language of the articles (default: detected)")
    import_cmd.add_argument("--dry-run", action="store_true", help="show what would be written")
    import_cmd.add_argument("--force", action="store_true", help="re-import what exists, in place")
    import_cmd.add_argument("--explain", action="store_true", help="list what was removed and why")
    import_cmd.add_argument(
        "--stdout", action="store_true", help="print the article, write nothing"
    )
    _add_output_flags(import_cmd)

    check_cmd = commands.add_parser("check", help="validate config and content, write nothing")
    check_cmd.add_argument("--site", type=Path, default=Path("."), help="site folder (default .)")
    check_cmd.add_argument("--strict", action="store_true", help="fail on warnings too")
    _add_output_flags(check_cmd)

    clean_cmd = commands.add_parser("clean", help="forget the build cache")
    clean_cmd.add_argument("--site", type=Path, default=Path("."))
    _add_output_flags(clean_cmd)
    return parser


def _summary(report: BuildReport) -> str:
    return (
        f"built {report.articles} article{'' if report.articles == 1 else 's'}: "
        f"{report.files} files "
        f"({len(report.rendered)} rendered, {report.written} written, {report.deleted} deleted) "
        f"in {report.seconds:.2f} s -> {report.output}"
    )


def _run_build(args: argparse.Namespace, console: Console) -> int:
    if args.jobs is not None and args.jobs < 1:
        console.error("sitegen build: --jobs must be at least 1")
        return EXIT_USAGE
    options = BuildOptions(
        site_dir=args.site,
        output=args.output.resolve() if args.output else None,
        drafts=args.drafts,
        future=args.future,
        base_url=args.base_url,
        use_cache=not args.no_cache,
        jobs=args.jobs,
    )
    report = build(options, log=console.info)
    for stage, seconds in report.stages.items():
        console.detail(f"  {stage:<8} {seconds * 1000:8.1f} ms")
    console.info(_summary(report))
    return EXIT_OK


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _run_serve(args: argparse.Namespace, console: Console) -> int:
    from sitegen.serve import ServeOptions, serve

    if not 0 <= args.port <= 65535:
        console.error("sitegen serve: --port must be between 0 and 65535")
        return EXIT_USAGE
    options = ServeOptions(args.site, args.host, args.port, args.open, args.drafts, args.future)
    return serve(options, log=console.info)


def _run_import(args: argparse.Namespace, console: Console) -> int:
    from sitegen.importer import ImportOptions, run_import  # on demand: pulls in trafilatura

    site_dir = args.site.resolve()
    config = load_config(site_dir)
    options = ImportOptions(
        topics=tuple(args.topic),
        tags=tuple(args.tag),
        source_name=args.source_name,
        lang=args.lang,
        dry_run=args.dry_run,
        force=args.force,
        explain=args.explain,
        to_stdout=args.stdout,
    )
    topic_rules = {t.slug: t.keywords for t in config.topics if t.keywords}
    return run_import(
        site_dir,
        args.sources,
        options,
        config.sources,
        topic_rules,
        datetime.now(UTC),
        out=lambda line: print(line, flush=True),
        err=console.info,
        known_topics=frozenset(t.slug for t in config.topics),
    )


def _run_deploy(args: argparse.Namespace, console: Console) -> int:
    from sitegen import deploy  # imported on demand: deploy targets pull in git, rsync, boto3

    config = load_config(args.site.resolve())
    target = deploy.parse_targets(config.deploy, args.site.resolve()).select(args.target)
    try:
        if args.rollback:
            report = deploy.rollback(target, console.info)
        else:
            output = check_output_dir(args.site, args.output or Path(config.output_dir))
            report = deploy.run_deploy(
                output,
                target,
                dry_run=args.dry_run,
                max_deletes=args.max_deletes,
                confirm=(lambda _: True) if args.yes else _confirm,
                log=console.info,
            )
    except (deploy.DeployError, deploy.DeployAborted) as error:
        console.error(f"sitegen deploy: {error}")
        return EXIT_FAILED
    console.detail(report.note)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_OK if exit_.code == 0 else EXIT_USAGE
    console = Console(getattr(args, "quiet", False), getattr(args, "verbose", False))
    try:
        if args.command == "build":
            return _run_build(args, console)
        if args.command == "new":
            for line in create_site(args.path):
                console.info(line)
            return EXIT_OK
        if args.command == "serve":
            return _run_serve(args, console)
        if args.command == "import":
            return _run_import(args, console)
        if args.command == "deploy":
            return _run_deploy(args, console)
        if args.command == "check":
            from sitegen.check import run_check

            return run_check(args.site, args.strict, lambda line: print(line, flush=True))
        if args.command == "clean":
            for line in clean(args.site) or ["nothing to clean"]:
                console.info(line)
            return EXIT_OK
    except InputError as error:
        for problem in error.problems:
            console.error(str(problem))
        count = len(error.problems)
        console.error(
            f"sitegen {args.command}: {count} problem{'s' if count != 1 else ''}; "
            "nothing was written"
        )
        return EXIT_INVALID
    except OSError as error:  # a full disk, a folder gone: not the input's fault
        where = f": {error.filename}" if error.filename else ""
        console.error(f"sitegen {args.command}: {error.strerror or error}{where}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        console.error("interrupted")
        return 130
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE
