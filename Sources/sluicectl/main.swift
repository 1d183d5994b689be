import SluiceControl

SluiceControlCommand.main()
