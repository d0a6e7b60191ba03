"""The one build step pyproject.toml cannot say: compile the texts' gettext catalogues
(``graph/model/catalogue/locale/<lang>/LC_MESSAGES/tular.po``, SPEC §11) into ``.mo`` files
beside them in the built package, so that a wheel (and the Docker image) carries them. An
editable install reads the source tree, where ``./scripts/messages compile`` (run by
scripts/test) writes them; tular compiles a missing or stale one in memory anyway."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGUE_PACKAGE = "tular.graph.model.catalogue"


class BuildPyWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        from babel.messages.mofile import write_mo  # a build requirement (pyproject.toml)
        from babel.messages.pofile import read_po

        source = Path(self.get_package_dir(CATALOGUE_PACKAGE), "locale")
        target = Path(self.build_lib, *CATALOGUE_PACKAGE.split("."), "locale")
        for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
            lang = po.relative_to(source).parts[0]
            with po.open("rb") as file:
                catalog = read_po(file, locale=lang, domain=po.stem)
            mo = target / po.relative_to(source).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with mo.open("wb") as file:
                write_mo(file, catalog)


setup(cmdclass={"build_py": BuildPyWithCatalogues})
