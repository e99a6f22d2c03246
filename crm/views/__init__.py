"""Views by who uses them: the floor (associates), the office (managers), the public."""
