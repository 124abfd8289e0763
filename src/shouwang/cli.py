"""The `shouwang` command: every Django management command, with hyphens allowed in names
(`shouwang seed-demo` runs `seed_demo`)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    if len(args) > 1 and args[1] == "init_env":
        # init-env must work before settings can load: it writes the secrets settings require.
        from shouwang.core.envfile import init_env_main

        init_env_main(args[2:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
