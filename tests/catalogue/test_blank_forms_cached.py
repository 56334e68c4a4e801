"""Blank forms are rendered once per version, stored in the default storage and served from it;
a new version (procedure edited, form template changed) is rendered once again.
Renders are counted with the renderer's own counter (portal.core.pdf.render_count)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from portal.catalogue import blank_forms
from portal.catalogue.models import FormTemplate, Procedure
from portal.core import pdf
from tests.conftest import pdf_text

URL = "/thu-tuc/1.004194/mau/CT01.pdf"


def _download(client, url=URL, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def test_a_blank_form_is_rendered_once_and_served_from_storage(client, catalogue):
    before = pdf.render_count
    first, data = _download(client)
    second, again = _download(client)
    assert pdf.render_count - before == 1
    assert data == again and data.startswith(b"%PDF")
    procedure = Procedure.objects.get(code="1.004194")
    form = FormTemplate.objects.get(code="CT01")
    name = blank_forms.storage_name(procedure=procedure, form=form)
    assert name.startswith("forms/1.004194/CT01-")
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == data  # in the shared storage, not in this process's memory
    assert first["ETag"] == second["ETag"]
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"].startswith("attachment;")
    not_modified = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert pdf.render_count - before == 1


def test_each_procedure_has_its_own_copy(client, catalogue):
    before = pdf.render_count
    _download(client)
    _, other = _download(client, "/thu-tuc/1.010028/mau/CT01.pdf")
    _download(client, "/thu-tuc/1.010028/mau/CT01.pdf")
    assert pdf.render_count - before == 2
    name = Procedure.objects.get(code="1.010028").name_vi
    assert " ".join(name.split()) in " ".join(pdf_text(other).split())


def test_editing_the_procedure_makes_a_new_version_rendered_once(client, catalogue):
    first, data = _download(client)
    procedure = Procedure.objects.get(code="1.004194")
    procedure.name_vi = "Đăng ký tạm trú (sửa đổi)"
    procedure.save()
    before = pdf.render_count
    second, changed = _download(client)
    _download(client)
    assert pdf.render_count - before == 1
    assert second["ETag"] != first["ETag"]
    assert "Đăng ký tạm trú (sửa đổi)" in " ".join(pdf_text(changed).split())


def test_a_changed_template_source_is_rendered_again(client, catalogue, settings, tmp_path):
    """The version includes the source of the form's template and of what it extends: a new
    deployment with an edited template renders the form again (once)."""
    folder = tmp_path / "templates" / "pdf" / "forms"
    folder.mkdir(parents=True)
    custom = folder / "ct01_custom.html"
    custom.write_text(
        '{% extends "pdf/base.html" %}{% block body %}<p>Mẫu {{ form.code }} bản 1</p>'
        "{% endblock %}",
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    FormTemplate.objects.filter(code="CT01").update(template_name="pdf/forms/ct01_custom.html")
    before = pdf.render_count
    _, one = _download(client)
    _download(client)
    assert pdf.render_count - before == 1
    assert "bản 1" in pdf_text(one)

    custom.write_text(custom.read_text(encoding="utf-8").replace("bản 1", "bản 2"), "utf-8")
    from django.template import engines

    for loader in engines["django"].engine.template_loaders:  # what a restart does
        if hasattr(loader, "reset"):
            loader.reset()
    _, two = _download(client)
    _download(client)
    assert pdf.render_count - before == 2
    assert "bản 2" in pdf_text(two)


@pytest.mark.parametrize("url", ["/thu-tuc/1.004194/mau/CT99.pdf", "/thu-tuc/0.0/mau/CT01.pdf"])
def test_unknown_forms_render_nothing(client, catalogue, url):
    before = pdf.render_count
    assert client.get(url).status_code == 404
    assert pdf.render_count == before
