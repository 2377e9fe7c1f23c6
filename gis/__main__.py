from gis.cli import main

main(prog_name="clustermap")
