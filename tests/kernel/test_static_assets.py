"""Static files in production: collected under hashed names, served compressed and cached for a year by
whitenoise (CompressedManifestStaticFilesStorage), with the real production settings in a child process."""

import json

from tests.kernel.test_project_setup import STRONG_KEY, run_python

SERVE = """
import json, django
django.setup()
from django.core.management import call_command
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)
client, answers = Client(), {}
hashed = staticfiles_storage.url("vendor/bootstrap-5.3.9/bootstrap.min.css")
for label, url, encoding in [("hashed gzip", hashed, "gzip"), ("hashed plain", hashed, ""),
                             ("unhashed gzip", "/static/vendor/bootstrap-5.3.9/bootstrap.min.css", "gzip")]:
    response = client.get(url, secure=True, headers={"Accept-Encoding": encoding} if encoding else {})
    answers[label] = {"url": url, "status": response.status_code, "length": int(response["Content-Length"]),
                      **{name: response.get(name, "") for name in ("Content-Encoding", "Cache-Control", "Vary")}}
print(json.dumps(answers))
"""


def served(tmp_path) -> dict:
    result = run_python(SERVE, DJANGO_ENV="production", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="testserver",
                        VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_serves_hashed_static_files_compressed_and_cached_for_a_year_in_production(tmp_path):
    answers = served(tmp_path)
    gzip, plain, unhashed = answers["hashed gzip"], answers["hashed plain"], answers["unhashed gzip"]
    assert gzip["url"].startswith("/static/vendor/bootstrap-5.3.9/bootstrap.min.") and gzip["url"].endswith(".css")
    assert gzip["url"] != unhashed["url"]  # {% static %} gives the hashed name
    assert gzip["status"] == plain["status"] == 200
    assert gzip["Content-Encoding"] in ("gzip", "br") and plain["Content-Encoding"] == ""
    assert gzip["length"] < plain["length"] / 4  # Bootstrap's CSS compresses about sevenfold
    assert "max-age=315360000" in gzip["Cache-Control"] and "immutable" in gzip["Cache-Control"]
    assert "Accept-Encoding" in gzip["Vary"]
    # The unhashed name (a stale link) is served too, but cached briefly: it changes with each release.
    assert unhashed["status"] == 200 and "max-age=60" in unhashed["Cache-Control"]
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()
