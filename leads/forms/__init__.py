"""Forms of the leads stage, one module per screen family. They validate and normalise;
the views hand `cleaned_data` to the services."""
