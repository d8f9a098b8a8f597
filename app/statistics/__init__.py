"""The official statistics outputs computed from the coded case fields: the Circular 07/2017/TT-BVHTTDL
tables as Excel, the de-identified export for the national domestic-violence database (Decree 110/2025) and
the GBVIMS-style monthly tables. Demographic fields are read only through `source`."""
