"""Developer tools that are not part of the app: the documentation site's generators."""
