"""After-sales services: owners. The owner's file, the owners' list and the data-quality
list only read (aftersales.selectors.owners); a file is completed on the pages that own
its fields (the customer's edit page, the handover's plate, the visit's needs analysis)."""
