"""Copy GOV.UK Frontend and axe-core from node_modules into the static folder.

The copies are not committed: `make run` and `make test` call this after `npm ci`.
"""

import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

FONT_FACE = re.compile(r"@font-face\{font-family:GDS Transport;[^}]*\}")
SOURCE_MAP = re.compile(r"\n?/[/*]# sourceMappingURL=\S+(\s*\*/)?\s*$")


class Command(BaseCommand):
    help = "Copy GOV.UK Frontend (CSS, JS, images) and axe-core into safeguarding/static/vendor."

    def handle(self, *args, **options):
        node_modules = Path(settings.BASE_DIR) / "node_modules"
        govuk = node_modules / "govuk-frontend" / "dist" / "govuk"
        axe = node_modules / "axe-core" / "axe.min.js"
        if not govuk.is_dir() or not axe.is_file():
            raise CommandError("node_modules is missing: run `npm ci` first.")
        target = Path(settings.BASE_DIR) / "safeguarding" / "static" / "vendor"
        if target.exists():
            shutil.rmtree(target)
        out = target / "govuk-frontend"
        (out / "assets").mkdir(parents=True)
        shutil.copytree(govuk / "assets" / "images", out / "assets" / "images")
        shutil.copy2(govuk / "assets" / "manifest.json", out / "assets" / "manifest.json")

        css = (govuk / "govuk-frontend.min.css").read_text()
        # The compiled CSS points at /assets/...; make those URLs relative to the CSS file.
        css = css.replace("url(/assets/", "url(assets/")
        # GDS Transport is only for GOV.UK itself; a partnership's service uses Arial.
        # (GOV.UK's fonts are not copied, so their @font-face rules go too.)
        css = FONT_FACE.sub("", css).replace("GDS Transport,arial", "arial")
        (out / "govuk-frontend.min.css").write_text(SOURCE_MAP.sub("", css))
        js = (govuk / "govuk-frontend.min.js").read_text()
        (out / "govuk-frontend.min.js").write_text(SOURCE_MAP.sub("", js))

        (target / "axe-core").mkdir()
        shutil.copy2(axe, target / "axe-core" / "axe.min.js")
        self.stdout.write(f"GOV.UK Frontend and axe-core copied to {target}")
