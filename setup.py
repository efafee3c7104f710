"""The wheel carries the compiled catalogs: build_py compiles locales/*/LC_MESSAGES/messages.po
into the build's bot/locales/<lang>/LC_MESSAGES/messages.mo, so `pip install .` speaks every
language. The .po files stay where the Makefile, babel.cfg and bot/catalogs.py use them.

An editable install (`make install`) compiles nothing here: it reads the source tree's locales/,
where `make` compiles the .mo files next to the .po files. Everything else is in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
CATALOGS = "locales/*/LC_MESSAGES/messages.po"


class build_py_with_catalogs(build_py):
    """build_py, then every catalog compiled into the package's own bot/locales."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for source, target in self._catalogs():
            self._compile(source, target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if self.editable_mode:
            return outputs
        return [*outputs, *(str(target) for _, target in self._catalogs())]

    def _catalogs(self) -> list[tuple[Path, Path]]:
        sources = sorted(ROOT.glob(CATALOGS))
        if not sources:
            # a wheel without catalogs would speak English to everyone: refuse to build it
            raise RuntimeError(f"no catalogs match {CATALOGS} under {ROOT}")
        build_lib = Path(self.build_lib)
        return [
            (source, build_lib / "bot" / source.relative_to(ROOT).with_suffix(".mo"))
            for source in sources
        ]

    def _compile(self, source: Path, target: Path) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with source.open("rb") as po_file:
            catalog = read_po(po_file, locale=source.parent.parent.name, domain="messages")
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as mo_file:
            # fuzzy entries stay out, as `pybabel compile` leaves them out without --use-fuzzy
            write_mo(mo_file, catalog, use_fuzzy=False)
        self.announce(f"compiled {source.relative_to(ROOT)} -> {target}", level=2)


setup(cmdclass={"build_py": build_py_with_catalogs})
