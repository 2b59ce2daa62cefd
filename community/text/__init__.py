"""Text people write, processed the same way everywhere: Markdown rendered and sanitised,
tags normalised, versions diffed."""
