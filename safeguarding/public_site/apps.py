from django.apps import AppConfig


class PublicSiteConfig(AppConfig):
    name = "safeguarding.public_site"
    label = "public_site"
    verbose_name = "Public Reviews pages"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions

        from .content_version import connect

        connect()

        register_actions(
            {
                "public_page.block_added": "Added a section to the public Reviews page",
                "public_page.block_changed": "Changed a section of the public Reviews page",
                "public_page.document_uploaded": "Uploaded a document to the public Reviews page",
                "public_page.document_archived": "Took a document off the public Reviews page",
            }
        )
