"""Form packs: `templates/<form-id>/form.yaml` read and validated as a FormDefinition, and the JSON
Schema generated from all packs.

Takes pack files; gives definitions and schema.json. Knows nothing of a particular filing.
"""
